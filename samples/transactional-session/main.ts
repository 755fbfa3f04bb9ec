// Transactional sessions (npm run sample:session): a web process whose POST /orders (Fastify) writes an
// order with Drizzle and sends InvoiceOrder in ONE transaction (bus.withTransaction), and a billing endpoint
// that invoices it with Drizzle in its handler's transaction. One SQLite file, no servers. A bad order
// rolls back: no row, no message. If the web process died after the commit, its sweeper (or another
// process's) would send what the session owes. Each POST carries an Idempotency-Key (oncebus/http): the
// response is stored in the order's transaction, and a retry with the same key gets it back, placing nothing.
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Container } from 'inversify';
import { addOncebus, createSilentLogger, TYPES } from '../../src/index.js';
import { runEndpoint } from '../../src/hosting/index.js';
import { SqliteStore } from '../../src/stores/sqlite/index.js';
import { InvoiceHandler } from './invoice-handler.js';
import { InvoiceOrder } from './messages.js';
import { CREATE_TABLES } from './tables.js';
import { webApi } from './web.js';

const dir = mkdtempSync(join(tmpdir(), 'oncebus-session-sample-'));
const store = new SqliteStore({ file: join(dir, 'shop.db') });
await store.store.ready();
for (const sql of CREATE_TABLES) await store.database.execute(sql);

function endpoint(configure: (c: Container) => void): Container {
  const c = new Container();
  c.bind(TYPES.QueueFactory).toConstantValue(store.queues);
  c.bind(TYPES.IdempotenceServiceFactory).toConstantValue(store.idempotence());
  c.bind(TYPES.Logger).toConstantValue(createSilentLogger());
  configure(c);
  return c;
}

const billing = endpoint((c) =>
  addOncebus(c, {
    name: 'billing',
    inbox: { workQueueUri: 'sqlite://default/billing', errorQueueUri: 'sqlite://default/billing-error', durationToSleepWhenIdle: ['20ms'] },
    handlers: [InvoiceHandler],
    idempotence: true,
  }),
);
// A send-only endpoint: it has no inbox, only sessions (and their sweeper) on the same store.
const web = endpoint((c) => addOncebus(c, { name: 'web', routes: [{ uri: 'sqlite://default/billing', specifications: [{ types: [InvoiceOrder] }] }] }));
// Both endpoints of this process under one host (billing starts first); the API opens once they run and
// closes before they stop. Ctrl-C stops it all gracefully.
let address = '';
const api = webApi(web.get(TYPES.ServiceBus));
const host = await runEndpoint([billing, web], {
  afterStart: async () => {
    address = await api.listen({ host: '127.0.0.1', port: 0 });
  },
  beforeStop: () => api.close(),
});

const invoiced = new Set<string>();
InvoiceHandler.invoiced = (orderId) => invoiced.add(orderId);
const postOrder = (body: object, key: string) =>
  fetch(`${address}/orders`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(body) });
for (const body of [{ orderId: 'A-1', amount: 30 }, { orderId: 'B-2', amount: -5 }]) {
  const response = await postOrder(body, `key-${body.orderId}`);
  console.log(`POST /orders ${JSON.stringify(body)} → ${response.status} ${await response.text()}`);
}
// The client never saw that first answer (a timeout, say) and retries with the same key: the stored response.
const retry = await postOrder({ orderId: 'A-1', amount: 30 }, 'key-A-1');
console.log(`POST /orders {"orderId":"A-1","amount":30} again, same Idempotency-Key → ${retry.status} (Idempotent-Replayed: ${retry.headers.get('idempotent-replayed')}) ${await retry.text()}`);
for (let i = 0; i < 200 && !invoiced.has('A-1'); i++) await new Promise((r) => setTimeout(r, 25));

const rows = (sql: string) => store.database.query<Record<string, unknown>>(sql);
console.log('orders:  ', JSON.stringify(await rows('SELECT order_id, amount FROM shop_orders')));
console.log('invoices:', JSON.stringify(await rows('SELECT order_id, amount FROM shop_invoices')));
console.log('B-2 rolled back: no order row, no InvoiceOrder sent, no invoice. A-1 retried: placed and invoiced once.');
await host.stop();
await store.close();
rmSync(dir, { recursive: true, force: true });
