import { expect } from 'chai';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { idempotentRoute as expressRoute, keepRawBody } from '../../../src/http/express/index.js';
import { idempotentRoute as fastifyRoute, idempotencyKeys } from '../../../src/http/fastify/index.js';
import { HttpWorld } from '../../support/http-world.js';

const listen = async (app: express.Express): Promise<{ url: string; close: () => Promise<void> }> => {
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
const post = (url: string, key: string, body: string, type = 'application/json') =>
  fetch(url, { method: 'POST', headers: { 'content-type': type, 'idempotency-key': key }, body });

// What each adapter does with the body it must fingerprint: limits, parsers in front, no body at all.
describe('HTTP Idempotency-Key adapters: the raw body', function () {
  this.timeout(20_000);
  let world: HttpWorld;
  before(async () => {
    world = await HttpWorld.open('memory');
  });
  after(() => world.dispose());

  it('Fastify: a body over the route’s bodyLimit is refused with 413 before anything runs; a GET with a key replays', async () => {
    const app = Fastify({ bodyLimit: 64 });
    const routes = idempotencyKeys(world.bus, { required: true });
    app.post<{ Body: { orderId: string } }>('/orders', fastifyRoute<{ Body: { orderId: string } }>(routes, {}, (request, session) => world.route(request.body.orderId, session)));
    let runs = 0;
    app.get('/report', fastifyRoute(routes, {}, async () => ({ status: 200, body: { run: ++runs } })));
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const big = await post(`${url}/orders`, 'k-big', JSON.stringify({ orderId: 'o-big', pad: 'x'.repeat(100) }));
      expect(big.status).to.equal(413);
      expect(world.invocations.get('o-big')).to.equal(undefined);
      const first = await fetch(`${url}/report`, { headers: { 'idempotency-key': 'k-get' } });
      const again = await fetch(`${url}/report`, { headers: { 'idempotency-key': 'k-get' } });
      expect(await first.text()).to.equal('{"run":1}');
      expect([again.headers.get('idempotent-replayed'), await again.text()]).to.deep.equal(['true', '{"run":1}']);
    } finally {
      await app.close();
    }
  });

  it('Express without a parser: the route reads the body (bounded: 413 past bodyLimit) and parses JSON for the handler', async () => {
    const app = express();
    app.post('/orders', expressRoute(world.bus, { required: true, bodyLimit: 64 }, (request, session) => world.route((request.body as { orderId: string }).orderId, session)));
    app.use((error: { status?: number; message: string }, _q: express.Request, response: express.Response, _n: express.NextFunction) => {
      response.status(error.status ?? 500).json({ error: error.message });
    });
    const server = await listen(app);
    try {
      expect((await post(`${server.url}/orders`, 'k-e1', '{"orderId":"o-e1"}')).status).to.equal(201);
      const big = await post(`${server.url}/orders`, 'k-e2', JSON.stringify({ orderId: 'o-e2', pad: 'x'.repeat(100) }));
      expect(big.status).to.equal(413);
      expect(world.invocations.get('o-e2')).to.equal(undefined);
      const bad = await post(`${server.url}/orders`, 'k-e3', '{"orderId":');
      expect(bad.status).to.equal(400);
    } finally {
      await server.close();
    }
  });

  it('Express behind express.json({ verify: keepRawBody }): the raw bytes are fingerprinted (another byte → 422); without verify the route refuses to guess', async () => {
    const app = express();
    app.use('/kept', express.json({ verify: keepRawBody }));
    app.use('/lost', express.json());
    const handler = (request: express.Request, session: Parameters<Parameters<typeof expressRoute>[2]>[1]) => world.route((request.body as { orderId: string }).orderId, session);
    app.post('/kept', expressRoute(world.bus, { required: true }, handler));
    app.post('/lost', expressRoute(world.bus, { required: true }, handler));
    app.use((error: Error, _q: express.Request, response: express.Response, _n: express.NextFunction) => {
      response.status(500).json({ error: error.message });
    });
    const server = await listen(app);
    try {
      expect((await post(`${server.url}/kept`, 'k-v', '{"orderId":"o-v"}')).status).to.equal(201);
      expect((await post(`${server.url}/kept`, 'k-v', '{"orderId":"o-v"}')).headers.get('idempotent-replayed')).to.equal('true');
      // The same JSON value, other bytes: another request.
      expect((await post(`${server.url}/kept`, 'k-v', '{ "orderId": "o-v" }')).status).to.equal(422);
      const lost = await post(`${server.url}/lost`, 'k-l', '{"orderId":"o-l"}');
      expect(lost.status).to.equal(500);
      expect(((await lost.json()) as { error: string }).error).to.match(/verify: keepRawBody/);
      expect(world.invocations.get('o-l')).to.equal(undefined);
    } finally {
      await server.close();
    }
  });
});
