import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { SqliteStore } from '../../src/stores/sqlite/index.js';

/**
 * The demo's one SQLite file: oncebus's queues, idempotence rows and saga instances, and the shop's own
 * tables — what the warehouse and sales did (no unique keys, so a doubled command would show as two rows),
 * and `interrupted`: the orders a `--crash` run left half-way, for the next run to carry on.
 */
export function openShopDatabase(file: string, fresh: boolean): SqliteStore {
  if (fresh) for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  mkdirSync(dirname(file), { recursive: true });
  // A short lease: a message taken by a killed run comes back within seconds of the restart.
  const store = new SqliteStore({ file, leaseMs: 2000 });
  store.database.native.exec(`
    CREATE TABLE IF NOT EXISTS placed (order_id TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS shipments (order_id TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS releases (order_id TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS cancellations (order_id TEXT NOT NULL, reason TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS interrupted (order_id TEXT PRIMARY KEY);`);
  return store;
}

export interface Audit {
  readonly orders: number;
  readonly shipped: number;
  readonly cancelled: number;
  /** Shipped or cancelled twice, or both, or cancelled without its stock released once. */
  readonly doubled: string[];
  /** Placed, neither shipped nor cancelled, and not waiting for a run to carry on. */
  readonly open: string[];
}

/** Every order placed ends shipped once or cancelled once (with its stock released once), never both. */
export function audit(store: SqliteStore): Audit {
  const db = store.database.native;
  const count = (table: string) => new Map((db.prepare(`SELECT order_id, count(*) AS n FROM ${table} GROUP BY order_id`).all() as { order_id: string; n: number }[]).map((r) => [r.order_id, r.n]));
  const shipments = count('shipments');
  const cancellations = count('cancellations');
  const releases = count('releases');
  const waiting = new Set((db.prepare('SELECT order_id FROM interrupted').all() as { order_id: string }[]).map((r) => r.order_id));
  const orders = [...count('placed').keys()];
  const doubled: string[] = [];
  const open: string[] = [];
  for (const id of orders) {
    const [s, c, r] = [shipments.get(id) ?? 0, cancellations.get(id) ?? 0, releases.get(id) ?? 0];
    if (s > 1 || c > 1 || r > 1 || (s > 0 && c > 0) || r !== c) doubled.push(id);
    if (s + c === 0 && !waiting.has(id)) open.push(id);
  }
  return { orders: orders.length, shipped: shipments.size, cancelled: cancellations.size, doubled, open };
}
