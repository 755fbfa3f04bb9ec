import { expect } from 'chai';
import type { Container } from 'inversify';
import { TYPES } from '../../../src/di/tokens.js';
import type { HealthCheckResult, IHealthCheck } from '../../../src/health/health-check.js';
import { type EndpointHost, runEndpoint } from '../../../src/hosting/index.js';
import { MemoryBroker } from '../../../src/transports/memory/index.js';
import { MemoryWorld } from '../../support/memory-endpoint.js';
import { FakeProcess } from './fake-process.js';

/** A memory broker that can say it is down, as a broker transport would. */
class CheckedBroker extends MemoryBroker implements IHealthCheck {
  answer: HealthCheckResult | 'never' = { healthy: true, detail: 'connected' };
  asked = 0;
  checkHealth(): Promise<HealthCheckResult> {
    this.asked++;
    return this.answer === 'never' ? new Promise(() => undefined) : Promise.resolve(this.answer);
  }
}

const unique = () => `host-${Math.random().toString(36).slice(2, 10)}`;

describe('runEndpoint: a process around one endpoint', () => {
  let hosts: EndpointHost[] = [];
  afterEach(async () => {
    for (const h of hosts) await h.stop();
    hosts = [];
  });

  function endpoint(configure?: (c: Container) => void) {
    const world = new MemoryWorld();
    return world.endpoint(unique(), { idempotence: true }, [], configure);
  }

  async function run(container: Container | Container[], options: Parameters<typeof runEndpoint>[1] = {}) {
    const proc = new FakeProcess();
    const host = await runEndpoint(container, { process: proc, ...options });
    hosts.push(host);
    return { host, proc };
  }

  it('starts the bus, is live and ready, and says what it checked', async () => {
    const { container, bus } = endpoint();
    const { host, proc } = await run(container);
    expect(bus.started).to.equal(true);
    const report = await host.health();
    expect(report).to.include({ live: true, ready: true });
    expect(report.checks.map((c) => c.name)).to.deep.equal(['bus', 'receive-loops']);
    expect(report.checks[1]!.detail).to.equal('2 running');
    expect(proc.listening('SIGTERM')).to.equal(1);
    expect(proc.listening('SIGINT')).to.equal(1);
  });

  it('on SIGTERM turns unready before the bus stops, stops it, removes its handlers and exits 0', async () => {
    const { container, bus } = endpoint();
    let duringStop: Awaited<ReturnType<EndpointHost['health']>> | null = null;
    let busStartedDuringStop: boolean | null = null;
    const { host, proc } = await run(container, {
      beforeStop: async () => {
        busStartedDuringStop = bus.started;
        duringStop = await host.health();
      },
    });
    proc.raise('SIGTERM');
    expect(await proc.exit_).to.equal(0);
    expect(busStartedDuringStop).to.equal(true);
    expect(duringStop!.ready).to.equal(false);
    expect(duringStop!.checks[0]).to.deep.include({ name: 'bus', healthy: false, detail: 'stopping' });
    expect(duringStop!.checks[0]!.endpoint).to.equal(bus.status().endpoint);
    expect(bus.started).to.equal(false);
    expect(proc.listening('SIGTERM') + proc.listening('SIGINT')).to.equal(0);
    expect(proc.infos).to.deep.equal(['SIGTERM: stopping the endpoint', 'endpoint stopped']);
  });

  it('a second signal during the stop exits at once, with 128 + the signal number', async () => {
    const { container } = endpoint();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const { proc } = await run(container, { beforeStop: () => held });
    proc.raise('SIGINT');
    proc.raise('SIGTERM');
    expect(proc.exits).to.deep.equal([143]);
    release();
    for (let i = 0; i < 100 && proc.exits.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(proc.exits).to.deep.equal([143, 0]);
  });

  it('exits 1 when the start fails, printing the typed error with its secrets masked', async () => {
    const { container } = endpoint((c) => {
      c.rebind(TYPES.IdempotenceServiceFactory).toConstantValue({
        create: () => ({
          inboxWorkQueueUri: 'memory://x',
          enabled: true,
          start: () => Promise.reject(new Error('cannot reach postgres://app:s3cret@db.internal/shop')),
        }),
      });
    });
    const proc = new FakeProcess();
    let thrown: unknown = null;
    await runEndpoint(container, { process: proc, http: { port: 0 } }).catch((error: unknown) => (thrown = error));
    expect(String(thrown)).to.contain('cannot reach');
    expect(proc.exits).to.deep.equal([1]);
    expect(proc.errors).to.have.length(1);
    expect(proc.errors[0]).to.contain('could not start').and.contain('postgres://app:***@db.internal/shop').and.not.contain('s3cret');
    expect(proc.listening('SIGTERM')).to.equal(0);
  });

  it('exits 1 with the error code when the configuration is refused', async () => {
    const world = new MemoryWorld();
    const { container } = world.endpoint(unique(), { inbox: { workQueueUri: 'nowhere://u:pw@h/q', errorQueueUri: 'memory://e' } as never });
    const proc = new FakeProcess();
    await runEndpoint(container, { process: proc }).catch(() => undefined);
    expect(proc.exits).to.deep.equal([1]);
    expect(proc.errors[0]).to.contain('[ONCEBUS_CONFIGURATION]').and.not.contain(':pw@');
  });

  it('is unready while a transport says it is down or does not answer in time, with the reason masked', async () => {
    const broker = new CheckedBroker();
    const { container } = endpoint((c) => c.rebind(TYPES.QueueFactory).toConstantValue(broker));
    const { host } = await run(container, { probeTimeoutMs: 50 });
    expect((await host.health()).ready).to.equal(true);
    broker.answer = { healthy: false, detail: 'lost amqp://app:hunter2@mq/' };
    let report = await host.health();
    expect(report).to.include({ ready: false, live: true });
    expect(report.checks.find((c) => c.name === 'transport:memory')).to.deep.equal({ name: 'transport:memory', healthy: false, detail: 'lost amqp://app:***@mq/' });
    broker.answer = 'never';
    report = await host.health();
    expect(report.checks.find((c) => c.name === 'transport:memory')!.detail).to.equal('no answer within 50 ms');
    expect(report.ready).to.equal(false);
  });

  it('callers at the same time share one round of checks', async () => {
    const broker = new CheckedBroker();
    const { container } = endpoint((c) => c.rebind(TYPES.QueueFactory).toConstantValue(broker));
    const { host } = await run(container);
    const reports = await Promise.all(Array.from({ length: 20 }, () => host.health()));
    expect(reports.every((r) => r.ready)).to.equal(true);
    expect(broker.asked).to.equal(1);
    await host.health();
    expect(broker.asked).to.equal(2);
  });

  it('is neither live nor ready when a receive loop has not turned for longer than the bus allows', async () => {
    const { container, bus } = endpoint();
    let now = Date.now();
    const { host } = await run(container, { clock: () => now });
    expect(host.liveness().live).to.equal(true);
    now += bus.status().stallAfterMs + 1000;
    const report = await host.health();
    expect(report).to.include({ live: false, ready: false });
    expect(report.checks[1]!.detail).to.match(/^inbox\[0\] stalled for \d+ s; inbox\[1\] stalled/);
  });

  it('runs its hooks in order around the start and the stop', async () => {
    const { container, bus } = endpoint();
    const seen: string[] = [];
    const hook = (name: string) => () => void seen.push(`${name}:${bus.started}`);
    const { host } = await run(container, { beforeStart: hook('beforeStart'), afterStart: hook('afterStart'), beforeStop: hook('beforeStop'), afterStop: hook('afterStop') });
    expect(await host.stop()).to.equal(0);
    expect(seen).to.deep.equal(['beforeStart:false', 'afterStart:true', 'beforeStop:true', 'afterStop:false']);
  });

  it('a failing beforeStart or afterStart is a failed start: exit 1, the bus stopped, afterStop run', async () => {
    for (const failing of ['beforeStart', 'afterStart'] as const) {
      const { container, bus } = endpoint();
      const proc = new FakeProcess();
      let closed = false;
      const failure = () => Promise.reject(new Error('port 8080 taken; token=abc123 kept'));
      await runEndpoint(container, { process: proc, [failing]: failure, afterStop: () => void (closed = true) }).catch(() => undefined);
      expect(proc.exits, failing).to.deep.equal([1]);
      expect(proc.errors[0], failing).to.contain('port 8080 taken; token=*** kept');
      expect(bus.started, failing).to.equal(false);
      expect(closed, failing).to.equal(true);
      expect(proc.listening('SIGTERM'), failing).to.equal(0);
    }
  });

  it('runs several endpoints of one process: starts them in order, needs them all for readiness, stops them in reverse', async () => {
    const world = new MemoryWorld();
    const names = [unique(), unique()];
    const broker = new CheckedBroker();
    const [first, second] = names.map((n) => world.endpoint(n, { name: n }, [], (c) => c.rebind(TYPES.QueueFactory).toConstantValue(broker)));
    const order: string[] = [];
    for (const [i, e] of [first!, second!].entries()) {
      e.bus.events.on('started', () => order.push(`started ${i}`));
      e.bus.events.on('stopped', () => order.push(`stopped ${i}`));
    }
    const { host, proc } = await run([first!.container, second!.container]);
    expect(host.buses).to.deep.equal([first!.bus, second!.bus]);
    const report = await host.health();
    expect(report.ready).to.equal(true);
    expect(report.checks.filter((c) => c.name === 'bus').map((c) => c.endpoint)).to.deep.equal(names);
    // The broker both endpoints share is asked once, not once per endpoint.
    expect(report.checks.map((c) => c.name).filter((n) => !['bus', 'receive-loops'].includes(n))).to.deep.equal(['transport:memory']);
    await first!.bus.stop();
    expect((await host.health()).ready).to.equal(false);
    proc.raise('SIGTERM');
    expect(await proc.exit_).to.equal(0);
    expect(order).to.deep.equal(['started 0', 'started 1', 'stopped 0', 'stopped 1']);
    expect(proc.infos).to.deep.equal(['SIGTERM: stopping 2 endpoints', 'endpoints stopped']);
  });

  it('a signal during a slow start waits for the start, then stops what started', async () => {
    const { container, bus } = endpoint();
    let release: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const proc = new FakeProcess();
    const running = runEndpoint(container, { process: proc, beforeStart: () => slow });
    await new Promise((resolve) => setTimeout(resolve, 20));
    proc.raise('SIGTERM');
    release();
    const host = await running;
    hosts.push(host);
    expect(await proc.exit_).to.equal(0);
    expect(bus.started).to.equal(false);
  });

  it('a signal while the start fails runs afterStop once', async () => {
    const { container } = endpoint();
    let fail: (error: Error) => void = () => undefined;
    const failing = new Promise<void>((_, reject) => (fail = reject));
    let afterStops = 0;
    const proc = new FakeProcess();
    const running = runEndpoint(container, { process: proc, beforeStart: () => failing, afterStop: () => void afterStops++ }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));
    proc.raise('SIGTERM');
    fail(new Error('the database is not there'));
    await running;
    for (let i = 0; i < 50 && proc.exits.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(proc.exits[0]).to.equal(1);
    expect(afterStops).to.equal(1);
  });

  it('names an endpoint by its name option, else by its inbox URI with the password masked', () => {
    const world = new MemoryWorld();
    expect(world.endpoint(unique(), { name: 'orders' }).bus.status().endpoint).to.equal('orders');
    const { bus } = world.endpoint(unique(), { inbox: { workQueueUri: 'memory://app:s3cret@q', errorQueueUri: 'memory://e' } as never });
    expect(bus.status()).to.deep.include({ endpoint: 'memory://app:***@q', phase: 'stopped', receiveLoops: [] });
  });

  it('refuses a bad probe port or timeout with a typed error', async () => {
    const { container } = endpoint();
    const proc = new FakeProcess();
    const codeOf = (e: unknown) => (e as { code?: string }).code;
    expect(codeOf(await runEndpoint(container, { process: proc, http: { port: 70_000 } }).catch((e: unknown) => e))).to.equal('ONCEBUS_CONFIGURATION');
    expect(codeOf(await runEndpoint(container, { process: proc, probeTimeoutMs: 0 }).catch((e: unknown) => e))).to.equal('ONCEBUS_CONFIGURATION');
    expect(codeOf(await runEndpoint([], { process: proc }).catch((e: unknown) => e))).to.equal('ONCEBUS_CONFIGURATION');
  });
});
