import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import type { IdempotencyOptions } from '../../src/http/index.js';
import { idempotentRoute as expressRoute } from '../../src/http/express/index.js';
import { idempotentRoute as fastifyRoute } from '../../src/http/fastify/index.js';
import type { HttpWorld } from './http-world.js';

export type Framework = 'fastify' | 'express';

/** The routes every test server mounts, each the world's order route under other key options. */
export const ROUTES: Readonly<Record<string, IdempotencyOptions>> = {
  '/orders': { required: true, leaseMs: 10_000 },
  '/optional': { required: false },
  '/waiting': { required: true, waitWhileRunning: 5_000 },
  '/waiting-briefly': { required: true, waitWhileRunning: 400 },
  '/short-lease': { required: true, leaseMs: 400 },
  '/expiring': { required: true, leaseMs: 200, retentionMs: 600 },
  '/stored-errors': { required: true, storeServerErrors: true },
  '/kept': { required: true, keptHeaders: ['X-Order-Version'] },
};

/** Keys are scoped by tenant: the X-Tenant header stands in for what authentication would say. */
const tenantOf = (headers: Record<string, string | string[] | undefined>): string => String(headers['x-tenant'] ?? '');

export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

/** A real server of `framework` on an ephemeral port with ROUTES mounted on `world`. */
export async function serve(framework: Framework, world: HttpWorld): Promise<RunningServer> {
  return framework === 'fastify' ? serveFastify(world) : serveExpress(world);
}

async function serveFastify(world: HttpWorld): Promise<RunningServer> {
  const app = Fastify();
  for (const [path, options] of Object.entries(ROUTES)) {
    app.post<{ Body: { orderId: string } }>(
      path,
      fastifyRoute<{ Body: { orderId: string } }>(world.bus, { ...options, principal: (request) => tenantOf(request.headers) }, (request, session) =>
        world.route(request.body.orderId, session),
      ),
    );
  }
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, close: () => app.close() };
}

async function serveExpress(world: HttpWorld): Promise<RunningServer> {
  const app = express();
  for (const [path, options] of Object.entries(ROUTES)) {
    app.post(
      path,
      expressRoute(world.bus, { ...options, principal: (request) => tenantOf(request.headers) }, (request, session) =>
        world.route((request.body as { orderId: string }).orderId, session),
      ),
    );
  }
  // Express's default error handler answers an HTML page; a JSON 500 like Fastify's keeps the tests alike.
  app.use((error: Error, _request: express.Request, response: express.Response, _next: express.NextFunction) => {
    response.status(500).json({ error: error.message });
  });
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // the test client keeps connections alive
      }),
  };
}
