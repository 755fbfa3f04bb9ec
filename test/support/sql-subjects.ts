import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PostgresStore } from '../../src/stores/postgres/index.js';
import { SqliteStore } from '../../src/stores/sqlite/index.js';

export const PG_URL = process.env.PG_URL ?? 'postgres://oncebus:oncebus@127.0.0.1:5432/oncebus';

/**
 * The store options for PG_URL: with PG_POOLER=transaction (CI's run through PgBouncer, PG_URL at its port)
 * the transaction-pooler mode, and LISTEN on PG_LISTEN_URL (the server itself) when given.
 */
export const PG_POOLER_OPTIONS: { pooler?: 'transaction'; listenConnectionString?: string } =
  process.env.PG_POOLER === 'transaction'
    ? { pooler: 'transaction', ...(process.env.PG_LISTEN_URL ? { listenConnectionString: process.env.PG_LISTEN_URL } : {}) }
    : {};

/** Whether PostgreSQL answers at PG_URL (a quick probe before an integration suite). */
export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A PostgresStore in a schema of its own, dropped on close. */
export function openPostgresStore(extra: { poolSize?: number; statementTimeoutMs?: number } = {}): PostgresStore & { dispose(): Promise<void> } {
  const schema = `t_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const store = new PostgresStore({ connectionString: PG_URL, schema, connectTimeoutMs: 3000, ...PG_POOLER_OPTIONS, ...extra });
  return Object.assign(store, {
    async dispose(): Promise<void> {
      await store.database.execute(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await store.close();
    },
  });
}

/** A SqliteStore on a file in a fresh temp folder, deleted on close. */
export function openSqliteStore(extra: { leaseMs?: number } = {}): SqliteStore & { dispose(): Promise<void>; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'oncebus-sqlite-'));
  const file = join(dir, 'oncebus.db');
  const store = new SqliteStore({ file, synchronous: 'NORMAL', ...extra });
  return Object.assign(store, {
    file,
    async dispose(): Promise<void> {
      await store.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  });
}
