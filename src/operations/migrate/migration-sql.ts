import { maskSecrets } from '../../secrets/mask-secrets.js';
import type { Migration, SqlStore } from '../../stores/sql/operations.js';
import { recordMigration } from '../../stores/sql/operations.js';
import type { QueueTable } from './queue-tables.js';

/** How a script separates statements and wraps a migration in a transaction, per dialect. */
const SCRIPT = {
  postgres: { end: ';', begin: 'BEGIN', commit: 'COMMIT' },
  sqlite: { end: ';', begin: 'BEGIN', commit: 'COMMIT' },
  // sqlcmd / SSMS: GO ends a batch (CREATE SCHEMA, for one, must be alone in its batch).
  mssql: { end: '\nGO', begin: 'BEGIN TRANSACTION', commit: 'COMMIT TRANSACTION' },
} as const;

/** A statement with the dialect's terminator. */
const statement = (sql: string, end: string): string => `${sql}${end}`;

/**
 * The SQL a DBA runs instead of `oncebus migrate`: the version table (kept when present), each migration in
 * a transaction of its own with the row that records it, then the queue tables (idempotent statements).
 * What the store's own migration runs, statement for statement.
 */
export function migrationSql(store: SqlStore, where: string, migrations: readonly Migration[], tables: readonly QueueTable[]): string {
  const d = store.dialect;
  const { end, begin, commit } = SCRIPT[store.database.dialect];
  const out: string[] = [];
  if (migrations.length === 0 && tables.length === 0) return `-- oncebus: nothing to apply to ${where}`;
  out.push(`-- oncebus: ${migrations.length} migration(s), ${tables.length} queue table(s) for ${where}`);
  if (migrations.length > 0) {
    out.push('', '-- the version table (kept when present)', ...d.createVersionTable.map((s) => statement(s, end)));
  }
  for (const m of migrations) {
    out.push('', `-- oncebus migration ${m.version}: ${m.description}`, `${begin}${end}`);
    out.push(...m.statements.map((s) => statement(s, end)), statement(recordMigration(d.versionTable, m), end), `${commit}${end}`);
  }
  for (const t of tables) {
    out.push('', `-- queue table ${t.statements.table} (${commentText(t.uri)})`, ...t.statements.createTable.map((s) => statement(s, end)));
  }
  return out.join('\n');
}

/** The GRANTs for `role`, as a script; null where the database has no roles (SQLite). */
export function grantsSql(store: SqlStore, where: string, role: string): string | null {
  const grants = store.dialect.grants?.(role);
  if (!grants) return null;
  const { end } = SCRIPT[store.database.dialect];
  return [
    `-- oncebus: what ${role} needs to run endpoints on ${where} without DDL rights`,
    '-- run as the owner of the schema, the user that runs `oncebus migrate`',
    ...grants.map((g) => `${g}${end}`),
  ].join('\n');
}

/**
 * A queue URI inside a `--` comment of a script a DBA runs: secrets masked, and on one line (JSON escapes
 * CR and LF), so a URI carrying a line break cannot end the comment and add a statement of its own.
 */
export const commentText = (uri: string): string => JSON.stringify(maskSecrets(uri));
