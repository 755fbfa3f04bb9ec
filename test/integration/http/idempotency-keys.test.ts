import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { requestFingerprint } from '../../../src/http/request-fingerprint.js';
import { type Framework, type RunningServer, serve } from '../../support/http-servers.js';
import { HttpWorld, type StoreKind } from '../../support/http-world.js';
import { requireService } from '../../support/integration.js';
import { postgresAvailable } from '../../support/sql-subjects.js';

/** A response as the client saw it: the bytes, not a re-encoding of them. */
interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly bytes: Buffer;
  json(): Record<string, unknown>;
}

interface Post {
  readonly key?: string;
  readonly tenant?: string;
  readonly body?: object;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Every case of docs/http-idempotency.md's semantics table over real HTTP: a real Fastify or Express server on
 * an ephemeral port, fetch as the client, and a real store (memory, SQLite file, PostgreSQL in a schema of its
 * own). What the route committed is read back from the store: the order rows it wrote, the messages its
 * session sent, the key rows.
 */
for (const framework of ['fastify', 'express'] as const satisfies readonly Framework[]) {
  for (const kind of ['memory', 'sqlite', 'postgres'] as const satisfies readonly StoreKind[]) {
    describe(`HTTP Idempotency-Key over ${framework}, keys in the ${kind} store`, function () {
      this.timeout(30_000);
      let world: HttpWorld;
      let server: RunningServer;

      before(async function () {
        if (kind === 'postgres') requireService(this, 'PostgreSQL', await postgresAvailable());
        world = await HttpWorld.open(kind);
        server = await serve(framework, world);
      });

      after(async () => {
        await server?.close();
        await world?.dispose();
      });

      const post = async (path: string, { key, tenant = 'acme', body = { orderId: 'none' } }: Post): Promise<Answer> => {
        const headers: Record<string, string> = { 'content-type': 'application/json', 'x-tenant': tenant };
        if (key !== undefined) headers['idempotency-key'] = key;
        const response = await fetch(`${server.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
        const bytes = Buffer.from(await response.arrayBuffer());
        return { status: response.status, headers: response.headers, bytes, json: () => JSON.parse(bytes.toString('utf8')) as Record<string, unknown> };
      };
      const ordersOf = async (orderId: string) => (await world.orders()).filter((o) => o === orderId).length;
      const fresh = () => ({ orderId: `o-${randomUUID().slice(0, 8)}`, key: `k-${randomUUID()}` });
      /** The claim another process would have written for `body` on `path`. */
      const claimFor = (path: string, key: string, body: object, attempt: string, lockedUntil: number, tenant = 'acme') => ({
        scope: tenant,
        key,
        fingerprint: requestFingerprint('POST', path, Buffer.from(JSON.stringify(body))),
        attempt,
        now: Date.now(),
        lockedUntil,
        expiresAt: Date.now() + 3_600_000,
      });

      it('first request with a key: the route runs once, its write and its send commit, and its response is stored with the key', async () => {
        const { orderId, key } = fresh();
        const sentBefore = await world.sent();
        const first = await post('/orders', { key, body: { orderId } });
        expect(first.status).to.equal(201);
        expect(first.json()).to.include({ orderId });
        expect(first.headers.get('location')).to.equal(`/orders/${orderId}`);
        expect(first.headers.get('idempotent-replayed')).to.equal(null);
        expect(await ordersOf(orderId)).to.equal(1);
        expect((await world.sent()) - sentBefore).to.equal(1);
        const row = await world.keyRow('acme', key);
        expect(row?.status).to.equal('completed');
        expect(row?.response?.status).to.equal(201);
        expect(Buffer.from(row!.response!.body).equals(first.bytes), 'the stored bytes are the bytes sent').to.equal(true);
        // Kept: content-type and location; not the route's other headers.
        expect(row?.response?.headers).to.deep.equal({ 'content-type': 'application/json; charset=utf-8', location: `/orders/${orderId}` });
        if (kind !== 'memory') {
          // The table as operators' tools read it: the agreed column names, the response as stored.
          const raw = (await world.rawKeyRows()).find((r) => r.key === key)!;
          expect(Object.keys(raw).sort()).to.deep.equal(
            ['attempt', 'completed_at', 'created_at', 'expires_at', 'fingerprint', 'key', 'locked_until', 'response_body', 'response_headers', 'response_status', 'scope', 'status'],
          );
          expect(raw).to.deep.include({ scope: 'acme', status: 'completed', locked_until: null, response_status: 201 });
          expect(JSON.parse(String(raw.response_headers))).to.deep.equal(row?.response?.headers);
          expect(Buffer.from(raw.response_body as Uint8Array).equals(first.bytes)).to.equal(true);
        }
      });

      it('a retry with the same key and request: the stored bytes, byte for byte, with Idempotent-Replayed: true — the route does not run and nothing is sent', async () => {
        const { orderId, key } = fresh();
        const first = await post('/orders', { key, body: { orderId } });
        const sentAfterFirst = await world.sent();
        for (let i = 0; i < 2; i++) {
          const replay = await post('/orders', { key, body: { orderId } });
          expect(replay.status).to.equal(201);
          expect(replay.bytes.equals(first.bytes), 'byte-identical body').to.equal(true);
          expect(replay.headers.get('idempotent-replayed')).to.equal('true');
          expect(replay.headers.get('content-type')).to.equal(first.headers.get('content-type'));
          expect(replay.headers.get('location')).to.equal(`/orders/${orderId}`);
          expect(replay.headers.get('x-nonce'), 'a header not kept is not replayed').to.equal(null);
        }
        expect(world.invocations.get(orderId)).to.equal(1);
        expect(await ordersOf(orderId)).to.equal(1);
        expect(await world.sent()).to.equal(sentAfterFirst);
      });

      it('the key in either form the draft allows — an sf-string ("…") or a bare token — names the same key', async () => {
        const { orderId } = fresh();
        const key = `k-${randomUUID()}`;
        const first = await post('/orders', { key: `"${key}"`, body: { orderId } });
        const replay = await post('/orders', { key, body: { orderId } });
        expect(first.status).to.equal(201);
        expect(replay.headers.get('idempotent-replayed')).to.equal('true');
        expect(replay.bytes.equals(first.bytes)).to.equal(true);
        expect(world.invocations.get(orderId)).to.equal(1);
      });

      it('keptHeaders: a header the route lists is stored and replayed too', async () => {
        const { orderId, key } = fresh();
        await post('/kept', { key, body: { orderId } });
        const replay = await post('/kept', { key, body: { orderId } });
        expect(replay.headers.get('idempotent-replayed')).to.equal('true');
        expect(replay.headers.get('x-order-version')).to.equal('1');
      });

      it('the same key held by another process (live lease): 409 with Retry-After, the route does not run', async () => {
        const { orderId, key } = fresh();
        const body = { orderId };
        await world.holdKeyElsewhere(claimFor('/orders', key, body, randomUUID(), Date.now() + 5_000));
        const answer = await post('/orders', { key, body });
        expect(answer.status).to.equal(409);
        expect(answer.headers.get('content-type')).to.equal('application/problem+json');
        const retryAfter = Number(answer.headers.get('retry-after'));
        expect(retryAfter).to.be.within(1, 5);
        expect(answer.json()).to.include({ status: 409 });
        expect(String(answer.json().detail)).to.match(/still being processed/);
        expect(world.invocations.get(orderId)).to.equal(undefined);
      });

      if (kind !== 'sqlite') {
        it('concurrent requests with one key: the second gets 409 + Retry-After while the first runs; once it committed, a retry replays it', async () => {
          const { orderId, key } = fresh();
          const sentBefore = await world.sent();
          const held = world.hold(orderId);
          const first = post('/orders', { key, body: { orderId } });
          await held.entered;
          const second = await post('/orders', { key, body: { orderId } });
          expect(second.status).to.equal(409);
          expect(Number(second.headers.get('retry-after'))).to.be.within(1, 10);
          held.release();
          const firstAnswer = await first;
          expect(firstAnswer.status).to.equal(201);
          const third = await post('/orders', { key, body: { orderId } });
          expect(third.bytes.equals(firstAnswer.bytes)).to.equal(true);
          expect(third.headers.get('idempotent-replayed')).to.equal('true');
          expect(world.invocations.get(orderId)).to.equal(1);
          expect(await ordersOf(orderId)).to.equal(1);
          expect((await world.sent()) - sentBefore).to.equal(1);
        });

        it('waitWhileRunning: a concurrent request waits for the first and answers its response, replayed', async () => {
          const { orderId, key } = fresh();
          const held = world.hold(orderId);
          const first = post('/waiting', { key, body: { orderId } });
          await held.entered;
          const second = post('/waiting', { key, body: { orderId } });
          await sleep(300);
          held.release();
          const [a, b] = await Promise.all([first, second]);
          expect(a.status).to.equal(201);
          expect(b.status).to.equal(201);
          expect(b.headers.get('idempotent-replayed')).to.equal('true');
          expect(b.bytes.equals(a.bytes)).to.equal(true);
          expect(world.invocations.get(orderId)).to.equal(1);
        });
      } else {
        it('SQLite (one writer): a concurrent request in this process waits for the first transaction, then replays it', async () => {
          const { orderId, key } = fresh();
          const held = world.hold(orderId);
          const first = post('/orders', { key, body: { orderId } });
          await held.entered;
          const second = post('/orders', { key, body: { orderId } });
          await sleep(200);
          held.release();
          const [a, b] = await Promise.all([first, second]);
          expect(a.status).to.equal(201);
          expect([b.status, b.headers.get('idempotent-replayed')]).to.deep.equal([201, 'true']);
          expect(b.bytes.equals(a.bytes)).to.equal(true);
          expect(world.invocations.get(orderId)).to.equal(1);
        });
      }

      it('waitWhileRunning: polls while another process holds the key and replays its response once it is stored', async () => {
        const { orderId, key } = fresh();
        const body = { orderId };
        const other = randomUUID();
        await world.holdKeyElsewhere(claimFor('/waiting', key, body, other, Date.now() + 10_000));
        const waiting = post('/waiting', { key, body });
        await sleep(300);
        const stored = { status: 202, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"from":"the other process"}') };
        expect(await world.complete('acme', key, other, stored)).to.equal(true);
        const answer = await waiting;
        expect(answer.status).to.equal(202);
        expect(answer.bytes.toString()).to.equal('{"from":"the other process"}');
        expect(answer.headers.get('idempotent-replayed')).to.equal('true');
        expect(world.invocations.get(orderId)).to.equal(undefined);
      });

      it('waitWhileRunning is a bound: a key held past it answers 409 after about that long', async () => {
        const { orderId, key } = fresh();
        const body = { orderId };
        await world.holdKeyElsewhere(claimFor('/waiting-briefly', key, body, randomUUID(), Date.now() + 10_000));
        const started = Date.now();
        const answer = await post('/waiting-briefly', { key, body });
        const took = Date.now() - started;
        expect(answer.status).to.equal(409);
        expect(answer.headers.get('retry-after')).to.match(/^\d+$/);
        expect(took).to.be.within(380, 3_000);
      });

      it('the same key for a different request (body, query or path): 422, the route does not run', async () => {
        const { orderId, key } = fresh();
        expect((await post('/orders', { key, body: { orderId } })).status).to.equal(201);
        const otherBody = await post('/orders', { key, body: { orderId: `${orderId}-other` } });
        expect(otherBody.status).to.equal(422);
        expect(otherBody.headers.get('content-type')).to.equal('application/problem+json');
        expect(String(otherBody.json().detail)).to.match(/different request/);
        expect((await post('/orders?coupon=1', { key, body: { orderId } })).status).to.equal(422);
        expect((await post('/kept', { key, body: { orderId } })).status).to.equal(422);
        expect(world.invocations.get(orderId)).to.equal(1);
        expect(world.invocations.get(`${orderId}-other`)).to.equal(undefined);
        // A key still running for another request: 422 too, not 409.
        const running = `k-${randomUUID()}`;
        await world.holdKeyElsewhere(claimFor('/orders', running, { orderId }, randomUUID(), Date.now() + 5_000));
        expect((await post('/orders', { key: running, body: { orderId: `${orderId}-other` } })).status).to.equal(422);
      });

      it('no key on a route that requires one: 400 saying so; on an optional route the request runs without a key, every time', async () => {
        const { orderId } = fresh();
        const refused = await post('/orders', { body: { orderId } });
        expect(refused.status).to.equal(400);
        expect(refused.headers.get('content-type')).to.equal('application/problem+json');
        expect(refused.json()).to.include({ status: 400, title: 'Idempotency-Key required' });
        expect(String(refused.json().detail)).to.match(/requires an Idempotency-Key header/);
        expect(world.invocations.get(orderId)).to.equal(undefined);
        expect((await post('/optional', { body: { orderId } })).status).to.equal(201);
        expect((await post('/optional', { body: { orderId } })).status).to.equal(201);
        expect(await ordersOf(orderId)).to.equal(2);
      });

      it('a malformed key: 400 saying what is wrong, the route does not run', async () => {
        const { orderId } = fresh();
        const cases: [string, RegExp][] = [
          ['""', /empty/],
          ['"unterminated', /no closing quote/],
          ['"a"b', /after its closing quote/],
          ['"a\\x"', /backslash/],
          ['two words', /neither a quoted string/],
          ['a,b', /neither a quoted string/],
          ['k'.repeat(256), /longer than 255/],
          ['k'.repeat(600), /header is longer than/],
        ];
        for (const [key, reason] of cases) {
          const answer = await post('/orders', { key, body: { orderId } });
          expect(answer.status, key).to.equal(400);
          expect(answer.json().title, key).to.equal('Invalid Idempotency-Key');
          expect(String(answer.json().detail), key).to.match(reason);
        }
        expect(world.invocations.get(orderId)).to.equal(undefined);
        expect((await post('/orders', { key: 'k'.repeat(255), body: { orderId } })).status, '255 characters are fine').to.equal(201);
      });

      it("keys are scoped: tenant B's request with tenant A's key runs on its own and never gets A's response", async () => {
        const { orderId, key } = fresh();
        const a = await post('/orders', { key, tenant: 'tenant-a', body: { orderId } });
        const b = await post('/orders', { key, tenant: 'tenant-b', body: { orderId } });
        expect([a.status, b.status]).to.deep.equal([201, 201]);
        expect(b.headers.get('idempotent-replayed')).to.equal(null);
        expect(b.json().nonce).to.not.equal(a.json().nonce);
        expect(world.invocations.get(orderId)).to.equal(2);
        const bAgain = await post('/orders', { key, tenant: 'tenant-b', body: { orderId } });
        expect(bAgain.bytes.equals(b.bytes)).to.equal(true);
        // B's key for another request is B's business: no 422 because of A's.
        const { orderId: other } = fresh();
        const k2 = `k-${randomUUID()}`;
        await post('/orders', { key: k2, tenant: 'tenant-a', body: { orderId } });
        expect((await post('/orders', { key: k2, tenant: 'tenant-b', body: { orderId: other } })).status).to.equal(201);
      });

      it('an expired key acts as absent: the same key runs again, even for another request; the purge removes expired rows', async () => {
        const { orderId, key } = fresh();
        expect((await post('/expiring', { key, body: { orderId } })).status).to.equal(201);
        await sleep(700);
        const again = await post('/expiring', { key, body: { orderId: `${orderId}-2` } });
        expect(again.status).to.equal(201);
        expect(again.headers.get('idempotent-replayed')).to.equal(null);
        expect(world.invocations.get(`${orderId}-2`)).to.equal(1);
        const row = await world.keyRow('acme', key);
        expect(row?.fingerprint).to.equal(requestFingerprint('POST', '/expiring', Buffer.from(JSON.stringify({ orderId: `${orderId}-2` }))));
        if (kind !== 'memory') {
          await world.purge(row!.expiresAt + 1);
          expect(await world.keyRow('acme', key)).to.equal(undefined);
        }
      });

      it('the route throws: nothing is committed or sent, the key is freed, and a retry runs and succeeds', async () => {
        const { orderId, key } = fresh();
        const sentBefore = await world.sent();
        world.throwOnce(orderId);
        const failed = await post('/orders', { key, body: { orderId } });
        expect(failed.status).to.equal(500);
        expect(await ordersOf(orderId)).to.equal(0);
        expect(await world.sent()).to.equal(sentBefore);
        expect(await world.keyRow('acme', key)).to.equal(undefined);
        const retry = await post('/orders', { key, body: { orderId } });
        expect(retry.status).to.equal(201);
        expect(retry.headers.get('idempotent-replayed')).to.equal(null);
        expect(await ordersOf(orderId)).to.equal(1);
        expect((await world.sent()) - sentBefore).to.equal(1);
        expect((await post('/orders', { key, body: { orderId } })).bytes.equals(retry.bytes)).to.equal(true);
      });

      it('a deliberate 5xx is not stored by default: rolled back, nothing sent, the key freed, a retry runs the route again', async () => {
        const { orderId, key } = fresh();
        const sentBefore = await world.sent();
        world.answer(orderId, 503);
        const first = await post('/orders', { key, body: { orderId } });
        expect(first.status).to.equal(503);
        expect(first.json()).to.include({ error: 'the payment provider is down' });
        expect(await ordersOf(orderId)).to.equal(0);
        expect(await world.sent()).to.equal(sentBefore);
        expect(await world.keyRow('acme', key)).to.equal(undefined);
        const retry = await post('/orders', { key, body: { orderId } });
        expect(retry.status).to.equal(503);
        expect(retry.headers.get('idempotent-replayed')).to.equal(null);
        expect(world.invocations.get(orderId)).to.equal(2);
      });

      it('storeServerErrors: a 5xx is stored and committed with its effects, and replayed', async () => {
        const { orderId, key } = fresh();
        const sentBefore = await world.sent();
        world.answer(orderId, 503);
        const first = await post('/stored-errors', { key, body: { orderId } });
        expect(first.status).to.equal(503);
        expect(await ordersOf(orderId)).to.equal(1);
        expect((await world.sent()) - sentBefore).to.equal(1);
        const replay = await post('/stored-errors', { key, body: { orderId } });
        expect(replay.status).to.equal(503);
        expect(replay.headers.get('idempotent-replayed')).to.equal('true');
        expect(replay.bytes.equals(first.bytes)).to.equal(true);
        expect(world.invocations.get(orderId)).to.equal(1);
      });

      it("a holder whose lease ran out (it died): the next request takes the key over, and the dead attempt's late completion is refused", async () => {
        const { orderId, key } = fresh();
        const body = { orderId };
        const dead = randomUUID();
        const late = { status: 200, headers: {}, body: Buffer.from('late') };
        await world.holdKeyElsewhere(claimFor('/orders', key, body, dead, Date.now() - 1));
        let answer: Answer;
        if (kind === 'sqlite') {
          // One writer: the dead attempt could only complete before the take-over's transaction or after it.
          answer = await post('/orders', { key, body });
        } else {
          // While the take-over runs (the row is 'running' again, under its attempt), the dead one completes late.
          const held = world.hold(orderId);
          const takingOver = post('/orders', { key, body });
          await held.entered;
          expect(await world.complete('acme', key, dead, late), 'the late completion, during the take-over').to.equal(false);
          held.release();
          answer = await takingOver;
        }
        expect(answer.status).to.equal(201);
        expect(world.invocations.get(orderId)).to.equal(1);
        const row = await world.keyRow('acme', key);
        expect(row?.attempt).to.not.equal(dead);
        expect(await world.complete('acme', key, dead, late), 'the late completion, after it').to.equal(false);
        const replay = await post('/orders', { key, body });
        expect(replay.bytes.equals(answer.bytes)).to.equal(true);
      });

      if (kind !== 'sqlite') {
        it('a request that outlives its lease: a retry takes the key over and commits; the late attempt rolls back and answers 409', async () => {
          const { orderId, key } = fresh();
          const sentBefore = await world.sent();
          const held = world.hold(orderId);
          const late = post('/short-lease', { key, body: { orderId } });
          await held.entered;
          await sleep(600); // past the 400 ms lease
          // The take-over is held too: the late attempt tries to complete while the key is running under another attempt.
          const heldAgain = world.hold(orderId);
          const takingOver = post('/short-lease', { key, body: { orderId } });
          await heldAgain.entered;
          held.release();
          const lateAnswer = await late;
          heldAgain.release();
          const takeover = await takingOver;
          expect(takeover.status).to.equal(201);
          expect(lateAnswer.status).to.equal(409);
          expect(String(lateAnswer.json().detail)).to.match(/outlasted its key's lease/);
          expect(world.invocations.get(orderId)).to.equal(2);
          expect(await ordersOf(orderId), "only the take-over's write committed").to.equal(1);
          expect((await world.sent()) - sentBefore, "only the take-over's send went out").to.equal(1);
          const replay = await post('/short-lease', { key, body: { orderId } });
          expect(replay.bytes.equals(takeover.bytes)).to.equal(true);
        });
      }
    });
  }
}
