import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { SqliteStore } from '../../src/stores/sqlite/index.js';

/**
 * The demo's one SQLite file: oncebus's queues, idempotence rows and subscriptions, and the shop's own
 * tables (orders, invoices, reservations; no unique keys, so a doubled effect would show as two rows).
 */
export function openShopDatabase(file: string, fresh: boolean): SqliteStore {
  if (fresh) rmSync(file, { force: true });
  mkdirSync(dirname(file), { recursive: true });
  // A short lease so a message taken by a killed run comes back within seconds of the restart.
  const store = new SqliteStore({ file, leaseMs: 2000 });
  store.database.native.exec(`
    CREATE TABLE IF NOT EXISTS orders (order_id TEXT NOT NULL, amount INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS invoices (order_id TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS reservations (order_id TEXT NOT NULL);`);
  return store;
}

export interface Audit {
  orders: number;
  doubled: string[];
  missing: string[];
}

/** Every order recorded once, with exactly one invoice and one reservation: what "once-only effects" means here. */
export function audit(store: SqliteStore): Audit {
  const db = store.database.native;
  const count = (table: string) => new Map((db.prepare(`SELECT order_id, count(*) AS n FROM ${table} GROUP BY order_id`).all() as { order_id: string; n: number }[]).map((r) => [r.order_id, r.n]));
  const orders = count('orders');
  const invoices = count('invoices');
  const reservations = count('reservations');
  const doubled: string[] = [];
  const missing: string[] = [];
  for (const [id, n] of orders) {
    if (n > 1 || (invoices.get(id) ?? 0) > 1 || (reservations.get(id) ?? 0) > 1) doubled.push(id);
    if (!invoices.has(id) || !reservations.has(id)) missing.push(id);
  }
  return { orders: orders.size, doubled, missing };
}
