import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

// The sample's own tables, in the same SQLite file as oncebus's (one database, one transaction).
export const orders = sqliteTable('shop_orders', { orderId: text('order_id').primaryKey(), amount: integer('amount').notNull() });
export const invoices = sqliteTable('shop_invoices', { orderId: text('order_id').notNull(), amount: integer('amount').notNull(), invoicedBy: text('invoiced_by').notNull() });

export const CREATE_TABLES = [
  'CREATE TABLE IF NOT EXISTS shop_orders (order_id TEXT PRIMARY KEY, amount INTEGER NOT NULL)',
  'CREATE TABLE IF NOT EXISTS shop_invoices (order_id TEXT NOT NULL, amount INTEGER NOT NULL, invoiced_by TEXT NOT NULL)',
];
