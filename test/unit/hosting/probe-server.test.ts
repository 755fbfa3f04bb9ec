import { expect } from 'chai';
import { request } from 'node:http';
import { runEndpoint } from '../../../src/hosting/index.js';
import { MemoryWorld } from '../../support/memory-endpoint.js';
import { FakeProcess } from './fake-process.js';

/** One request to the probe server: its status and body (raw `path`, as a client could send it). */
function call(port: number, path: string, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('close', () => reject(new Error('the response was cut off')));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('runEndpoint: the HTTP probes', () => {
  it('answers /healthz and /readyz on loopback, 503 on /readyz once stopping begins, and closes with the stop', async () => {
    const world = new MemoryWorld();
    const { container } = world.endpoint(`probe-${Math.random().toString(36).slice(2, 10)}`);
    const proc = new FakeProcess();
    let readyWhileStopping: { status: number; body: string } | null = null;
    const host = await runEndpoint(container, {
      process: proc,
      http: { port: 0 },
      beforeStop: async () => {
        readyWhileStopping = await call(port, '/readyz');
      },
    });
    const port = host.probeAddress!.port;
    expect(host.probeAddress!.address).to.equal('127.0.0.1');

    const ready = await call(port, '/readyz');
    expect(ready.status).to.equal(200);
    expect(JSON.parse(ready.body)).to.deep.include({ status: 'ok', live: true, ready: true });
    expect((await call(port, '/healthz?verbose=1')).status).to.equal(200);
    expect((await call(port, '/readyz', 'HEAD')).status).to.equal(200);
    expect((await call(port, '/metrics')).status).to.equal(404);
    expect((await call(port, '/readyz', 'POST')).status).to.equal(405);

    proc.raise('SIGTERM');
    expect(await proc.exit_).to.equal(0);
    expect(readyWhileStopping!.status).to.equal(503);
    expect(JSON.parse(readyWhileStopping!.body).checks[0]).to.deep.include({ name: 'bus', healthy: false, detail: 'stopping' });
    const refused = await call(port, '/healthz').then(() => 'answered', (error: NodeJS.ErrnoException) => error.code);
    expect(refused).to.equal('ECONNREFUSED');
  });

  it('fails the start with a typed error when the port is taken, and exits 1', async () => {
    const world = new MemoryWorld();
    const first = await runEndpoint(world.endpoint('probe-a').container, { process: new FakeProcess(), http: { port: 0 } });
    const proc = new FakeProcess();
    const second = world.endpoint('probe-b');
    const error = await runEndpoint(second.container, { process: proc, http: { port: first.probeAddress!.port } }).catch((e: unknown) => e);
    expect((error as { code?: string }).code).to.equal('ONCEBUS_CONFIGURATION');
    expect(proc.exits).to.deep.equal([1]);
    expect(proc.errors[0]).to.contain('EADDRINUSE');
    expect(second.bus.started).to.equal(false);
    await first.stop();
  });
});
