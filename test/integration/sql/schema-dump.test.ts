import { expect } from 'chai';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PostgresStore } from '../../../src/stores/postgres/index.js';
import { requireService } from '../../support/integration.js';
import { openPostgresStore, openSqliteStore, postgresAvailable } from '../../support/sql-subjects.js';

// The schema each dialect's migrations produce, compared with a dump committed in test/schema/, so a
// schema change shows up in review. Regenerate with UPDATE_SCHEMA_DUMPS=1 npm test.
const dumpFile = (kind: string) => fileURLToPath(new URL(`../../../../test/schema/${kind}.sql`, import.meta.url));

function compare(kind: string, actual: string): void {
  const file = dumpFile(kind);
  if (process.env.UPDATE_SCHEMA_DUMPS === '1') writeFileSync(file, actual);
  expect(existsSync(file), `${file} is missing: run with UPDATE_SCHEMA_DUMPS=1 and commit it`).to.equal(true);
  expect(actual).to.equal(readFileSync(file, 'utf8'));
}

describe('schema dumps: the migrated schema equals the committed dump', function () {
  this.timeout(30_000);

  it('sqlite', async () => {
    const store = openSqliteStore();
    try {
      await store.store.ready();
      const rows = await store.database.query<{ sql: string }>(
        "SELECT sql FROM sqlite_master WHERE name LIKE 'oncebus_%' AND sql IS NOT NULL ORDER BY type DESC, name",
      );
      compare('sqlite', `${rows.map((r) => `${r.sql.replace(/\s+/g, ' ')};`).join('\n')}\n`);
    } finally {
      await store.dispose();
    }
  });

  it('postgres', async function () {
    requireService(this, 'PostgreSQL', await postgresAvailable());
    const store = openPostgresStore();
    try {
      await store.store.ready();
      const s = (store as PostgresStore).schema;
      const columns = await store.database.query<{ line: string }>(
        `SELECT table_name || '.' || column_name || ' ' || data_type || CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END AS line
         FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position`,
        [s],
      );
      const indexes = await store.database.query<{ line: string }>(`SELECT replace(indexdef, $1 || '.', 'oncebus.') AS line FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname`, [s]);
      const constraints = await store.database.query<{ line: string }>(
        `SELECT conrelid::regclass::text || ' ' || replace(pg_get_constraintdef(oid), $1 || '.', 'oncebus.') AS line
         FROM pg_constraint WHERE connamespace = $1::regnamespace ORDER BY conrelid::regclass::text, conname`,
        [s],
      );
      const text = [...columns, ...indexes, ...constraints].map((r) => r.line.replaceAll(`${s}.`, 'oncebus.')).join('\n');
      compare('postgres', `${text}\n`);
    } finally {
      await store.dispose();
    }
  });
});
