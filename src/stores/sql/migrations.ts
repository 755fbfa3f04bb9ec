import { StoreError } from '../../errors/errors.js';
import type { SqlDatabase } from './sql-database.js';

/** One schema change, numbered; the list is append-only (never edit a migration that has shipped). */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly statements: readonly string[];
}

/** The statement that records a migration as applied (also printed for a DBA who applies it by hand). */
export function recordMigration(versionTable: string, m: Migration): string {
  return `INSERT INTO ${versionTable} (version, description) VALUES (${m.version}, '${m.description.replace(/'/g, "''")}')`;
}

/**
 * The migrations not applied yet, in order. `versionTableExists` answers a row when the version table is
 * there: without it every migration is pending (nothing is created to find that out).
 */
export async function pendingMigrations(db: SqlDatabase, versionTableExists: string, versionTable: string, migrations: readonly Migration[]): Promise<Migration[]> {
  if ((await db.query(versionTableExists)).length === 0) return [...migrations];
  const applied = new Set((await db.query<{ version: number | string }>(`SELECT version FROM ${versionTable}`)).map((r) => Number(r.version)));
  return migrations.filter((m) => !applied.has(m.version));
}

/**
 * Brings a schema up to the newest version, each migration in its own transaction, recording it in the
 * version table; resolves to the migrations this call applied and the schema's version after it. Safe to run at every start and from several
 * processes at once: a migration that another process applied meanwhile fails its version insert and is
 * rolled back here (then skipped).
 */
export async function applyMigrations(db: SqlDatabase, versionTable: string, createVersionTable: readonly string[], migrations: readonly Migration[]): Promise<{ applied: Migration[]; version: number }> {
  // Two processes starting together may race on these IF NOT EXISTS statements; the loser's error is
  // harmless, and an unreachable database fails the SELECT below with a clear error anyway.
  for (const statement of createVersionTable) await db.execute(statement).catch(() => undefined);
  const rows = await db.query<{ version: number | string }>(`SELECT version FROM ${versionTable}`);
  const applied = new Set(rows.map((r) => Number(r.version)));
  let version = Math.max(0, ...applied);
  const done: Migration[] = [];
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    const tx = await db.begin();
    try {
      for (const s of m.statements) await tx.execute(s);
      await tx.execute(recordMigration(versionTable, m));
      await tx.commit();
      done.push(m);
      version = m.version;
    } catch (error) {
      await tx.rollback().catch(() => undefined);
      const again = await db.query<{ version: number | string }>(`SELECT version FROM ${versionTable} WHERE version = ${m.version}`);
      if (again.length === 0) throw new StoreError(`migration ${m.version} (${m.description}) failed: ${String(error)}`, { cause: error });
    }
  }
  return { applied: done, version };
}

/** applyMigrations, resolving to the schema's version. */
export async function migrate(db: SqlDatabase, versionTable: string, createVersionTable: readonly string[], migrations: readonly Migration[]): Promise<number> {
  return (await applyMigrations(db, versionTable, createVersionTable, migrations)).version;
}
