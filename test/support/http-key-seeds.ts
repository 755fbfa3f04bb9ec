import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Container } from 'inversify';
import Fastify from 'fastify';
import { idempotentRoute } from '../../src/http/fastify/index.js';
import { selectHttpKeyStore } from '../../src/http/persistence/select-http-key-store.js';
import type { KeyClaim, StoredResponse } from '../../src/http/persistence/http-key-store.js';
import { addOncebus, createSilentLogger, type IServiceBus, TYPES } from '../../src/index.js';
import { messageType } from '../../src/messages/message-type.js';
import type { PostgresStore } from '../../src/stores/postgres/index.js';
import type { SqliteStore } from '../../src/stores/sqlite/index.js';
import { isCreateQueue } from '../../src/transport/queue.js';
import { openPostgresStore, openSqliteStore, PG_URL } from './sql-subjects.js';

// HTTP Idempotency-Keys as the operations tools find them: some left by real requests to a Fastify route of
// oncebus/http, others written through the add-on's own key store as a route in another process would leave
// them (running, its lease live or lapsed; expired; a response with credentials, a terminal escape, binary or
// too large to show). For the http-keys CLI and dashboard tests.

@messageType('ops.HttpKeyOrder')
class HttpKeyOrder {
  constructor(public orderId = '') {}
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
/** A principal longer than a stored scope may be: the store keeps its SHA-256. */
export const LONG_TENANT = `tenant-${'x'.repeat(200)}`;
export const ESCAPE = '\u001b[2J';
/** Markup a client put in its order (globex's): a page must show it as text. */
export const MARKUP = '<img src=x onerror="window.__pwned=1">';

export interface SeededKeys {
  readonly kind: 'sqlite' | 'postgres';
  /** The CLI's store flags for this store. */
  readonly storeArgs: readonly string[];
  readonly store: PostgresStore | SqliteStore;
  readonly bus: IServiceBus;
  /** What the first request with key order-1 (tenant acme) got back: the stored response. */
  readonly firstBody: string;
  dispose(): Promise<void>;
}

/**
 * A store with these keys (scope: key):
 * - acme: order-1 — POST /orders, completed 201 (JSON body, location)
 * - globex: order-1 — the same key in another tenant, completed 201, MARKUP in its body and location
 * - LONG_TENANT (stored hashed): order-long — completed 201
 * - acme: in-flight — running, lease live (30 min)
 * - acme: abandoned — running since 2 h, lease ran out
 * - acme: secrets — completed 200: set-cookie, x-api-key, a location with a password; text body with a token and ESCAPE
 * - acme: binary — completed 200, bytes that are not UTF-8
 * - acme: huge — completed 200, a body over 1 MiB
 * - acme: old — completed 3 h ago, expired 1 h ago (not purged yet)
 */
export async function seedHttpKeys(kind: 'sqlite' | 'postgres'): Promise<SeededKeys> {
  const sql = kind === 'postgres' ? openPostgresStore() : openSqliteStore();
  await sql.store.ready();
  const out = kind === 'postgres' ? 'postgres://default/http-keys-out' : 'sqlite://default/http-keys-out';
  const q = sql.queues.create(out);
  if (isCreateQueue(q)) await q.create();
  const c = new Container();
  c.bind(TYPES.QueueFactory).toConstantValue(sql.queues);
  c.bind(TYPES.IdempotenceServiceFactory).toConstantValue(sql.idempotence());
  c.bind(TYPES.Logger).toConstantValue(createSilentLogger());
  addOncebus(c, { name: 'web', routes: [{ uri: out, specifications: [{ types: [HttpKeyOrder] }] }], stopTimeout: '5s' });
  const bus = c.get<IServiceBus>(TYPES.ServiceBus);
  await bus.start();

  const app = Fastify();
  app.post<{ Body: { orderId: string } }>(
    '/orders',
    idempotentRoute<{ Body: { orderId: string } }>(bus, { required: true, principal: (r) => String(r.headers['x-tenant'] ?? '') }, async (request, session) => {
      await session.send(new HttpKeyOrder(request.body.orderId));
      return { status: 201, body: { orderId: request.body.orderId, nonce: randomUUID() }, headers: { location: `/orders/${request.body.orderId}` } };
    }),
  );
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const post = async (tenant: string, key: string, orderId: string) => {
    const r = await fetch(`${url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key, 'x-tenant': tenant }, body: JSON.stringify({ orderId }) });
    if (r.status !== 201) throw new Error(`seeding ${key}: ${r.status} ${await r.text()}`);
    return r.text();
  };
  const firstBody = await post('acme', 'order-1', 'A-1');
  await post('globex', 'order-1', MARKUP);
  await post(LONG_TENANT, 'order-long', 'L-1');
  await app.close();

  const now = Date.now();
  const keys = (session: Parameters<Parameters<IServiceBus['withTransaction']>[0]>[0]) => selectHttpKeyStore(session);
  const claim = (key: string, createdAgo: number, leaseFor: number, expiresIn = 24 * HOUR): KeyClaim => ({
    scope: 'acme',
    key,
    fingerprint: `fp-${key}`,
    attempt: randomUUID(),
    now: now - createdAgo,
    lockedUntil: now - createdAgo + leaseFor,
    expiresAt: now + expiresIn,
  });
  const hold = (c: KeyClaim) => bus.withTransaction(async (s) => void (await keys(s).insert(s, c)));
  const complete = (c: KeyClaim, response: StoredResponse, at: number) => bus.withTransaction(async (s) => void (await keys(s).complete(s, c.scope, c.key, c.attempt, response, at)));
  await hold(claim('in-flight', MINUTE, 30 * MINUTE));
  await hold(claim('abandoned', 2 * HOUR, 30_000));
  const text = (status: number, headers: Record<string, string>, body: string | Uint8Array): StoredResponse => ({ status, headers, body: typeof body === 'string' ? Buffer.from(body) : body });
  const secrets = claim('secrets', 10 * MINUTE, 30_000);
  await hold(secrets);
  await complete(
    secrets,
    text(200, { 'content-type': 'text/plain', 'set-cookie': 'sid=abc123; HttpOnly', 'x-api-key': 'k-123456', location: 'postgres://shop:s3cret@db/x' }, `password=hunter2 then ${ESCAPE}cleared`),
    now - 9 * MINUTE,
  );
  const binary = claim('binary', 8 * MINUTE, 30_000);
  await hold(binary);
  await complete(binary, text(200, { 'content-type': 'application/octet-stream' }, new Uint8Array([0xff, 0xfe, 0x00, 0x01])), now - 8 * MINUTE);
  const huge = claim('huge', 7 * MINUTE, 30_000);
  await hold(huge);
  await complete(huge, text(200, { 'content-type': 'application/json' }, JSON.stringify({ blob: 'x'.repeat(1024 * 1024 + 1) })), now - 7 * MINUTE);
  const old = claim('old', 3 * HOUR, 30_000, -HOUR);
  await hold(old);
  await complete(old, text(201, { 'content-type': 'application/json' }, '{"orderId":"O-1"}'), now - 3 * HOUR);

  const storeArgs =
    kind === 'postgres' ? ['--store', PG_URL, '--schema', (sql as PostgresStore).schema] : ['--store', `sqlite:${(sql as SqliteStore & { file: string }).file}`];
  return {
    kind,
    storeArgs,
    store: sql,
    bus,
    firstBody,
    async dispose() {
      await bus.stop().catch(() => undefined);
      await sql.dispose();
    },
  };
}
