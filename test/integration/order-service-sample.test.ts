import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import pg from 'pg';
import { requireService } from '../support/integration.js';
import { deleteQueues, RABBITMQ_URL, rabbitAvailable } from '../support/rabbitmq.js';
import { PG_URL, postgresAvailable } from '../support/sql-subjects.js';

// samples/order-service as it runs in production: three processes (API, worker, subscriber), each under
// runEndpoint, on the real RabbitMQ and PostgreSQL. Under load on the API, the worker gets SIGTERM, stops
// gracefully (its readiness probe answering 503 meanwhile) and starts again. Then every order was accepted
// once and e-mailed once: nothing lost, nothing doubled.
const sample = (name: string) => fileURLToPath(new URL(`../../samples/order-service/${name}.js`, import.meta.url));
const ORDERS = 240;

interface Running {
  readonly child: ChildProcess;
  readonly probePort: number;
  readonly apiUrl: string | null;
  readonly output: string[];
}

/** GET/POST on localhost without keep-alive: status and body, or the socket error's code. */
function http(url: string, method = 'GET', body?: object): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const payload = body ? JSON.stringify(body) : undefined;
    const req = request(url, { method, agent: false, headers: payload ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      // A response cut off by the server going away ends in 'close' without 'end' (the first call wins).
      res.on('close', () => resolve({ error: 'ECONNRESET' }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end(payload);
  });
}

describe('the order-service sample: API, worker and subscriber as processes under runEndpoint', function () {
  this.timeout(60_000);
  const id = Math.random().toString(36).slice(2, 10);
  const schema = `os_${id}`;
  const prefix = `os-${id}`;
  const env = { ...process.env, PG_URL, RABBITMQ_URL, ORDER_SERVICE_SCHEMA: schema, ORDER_SERVICE_QUEUES: prefix, PROBE_PORT: '0', API_PORT: '0', ONCEBUS_LOG_LEVEL: 'warn', WORK_MS: '30' };
  const children: ChildProcess[] = [];
  let db: pg.Pool | null = null;

  /** Starts one process and waits for it to say it is ready (its probe port, the API's address). */
  async function start(name: 'api' | 'worker' | 'subscriber'): Promise<Running> {
    const child = spawn(process.execPath, [sample(name)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const output: string[] = [];
    let apiUrl: string | null = null;
    return new Promise((resolve, reject) => {
      const onLine = (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n').filter(Boolean)) {
          output.push(line);
          apiUrl ??= /listening on (http:\/\/\S+)/.exec(line)?.[1] ?? null;
          const probe = /ready, probes on port (\d+)/.exec(line);
          if (probe) resolve({ child, probePort: Number(probe[1]), apiUrl, output });
        }
      };
      child.stdout!.on('data', onLine);
      child.stderr!.on('data', onLine);
      child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before it was ready:\n${output.join('\n')}`)));
    });
  }

  const count = async (sql: string): Promise<number> => Number((await db!.query<{ n: string }>(sql)).rows[0]!.n);
  const counts = async () => ({
    orders: await count(`SELECT count(*) AS n FROM ${schema}.orders`),
    accepted: await count(`SELECT count(*) AS n FROM ${schema}.acceptances`),
    acceptedOrders: await count(`SELECT count(DISTINCT order_id) AS n FROM ${schema}.acceptances`),
    emails: await count(`SELECT count(*) AS n FROM ${schema}.emails`),
    emailedOrders: await count(`SELECT count(DISTINCT order_id) AS n FROM ${schema}.emails`),
  });

  before(async function () {
    requireService(this, 'RabbitMQ', await rabbitAvailable());
    requireService(this, 'PostgreSQL', await postgresAvailable());
    db = new pg.Pool({ connectionString: PG_URL, max: 2 });
  });

  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    if (db) {
      await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await db.end();
    }
    await deleteQueues(['worker', 'worker-error', 'worker-deferred', 'emails', 'emails-error', 'emails-deferred'].map((q) => `${prefix}-${q}`));
  });

  it('a worker that cannot reach its broker exits 1, saying why with the password masked', async () => {
    const child = spawn(process.execPath, [sample('worker')], { env: { ...env, RABBITMQ_URL: 'amqp://guest:hunter2@127.0.0.1:1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code, output).to.equal(1);
    expect(output).to.contain('the endpoint could not start: BrokerUnavailableError [ONCEBUS_BROKER_UNAVAILABLE]').and.contain('amqp://guest:***@127.0.0.1:1');
    expect(output).not.to.contain('hunter2');
  });

  it('loses and doubles nothing when the worker is stopped (SIGTERM) and started again under load; its readiness turns 503 while it stops', async () => {
    // The subscriber first: it subscribes to OrderPlaced at start, before anything is published.
    const subscriber = await start('subscriber');
    const firstWorker = await start('worker');
    const api = await start('api');
    expect(JSON.parse(((await http(`http://127.0.0.1:${firstWorker.probePort}/readyz`)) as { body: string }).body).ready).to.equal(true);

    // The load: ORDERS orders, 8 at a time, all through the API.
    let posted = 0;
    const failures: string[] = [];
    const client = async () => {
      while (posted < ORDERS) {
        const orderId = `order-${posted++}`;
        const answer = await http(`${api.apiUrl}/orders`, 'POST', { orderId, amount: 10 });
        if (!('status' in answer) || answer.status !== 201) failures.push(`${orderId}: ${JSON.stringify(answer)}`);
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, client));

    // A third of the way in, SIGTERM the worker while polling its readiness probe.
    // …and once the worker has handled some: on a loaded machine its first commit can come after a third was posted.
    while (posted < ORDERS / 3 || (await count(`SELECT count(*) AS n FROM ${schema}.acceptances`)) === 0) await new Promise((r) => setTimeout(r, 5));
    const probes: string[] = [];
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const answer = await http(`http://127.0.0.1:${firstWorker.probePort}/readyz`);
        probes.push('status' in answer ? `${answer.status} ${JSON.parse(answer.body).checks?.[0]?.detail}` : answer.error);
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    // The signal only after the poller has seen it ready: on a loaded machine its first answer can take longer than any fixed pause.
    while (!probes.some((p) => p.startsWith('200'))) await new Promise((r) => setTimeout(r, 5));
    firstWorker.child.kill('SIGTERM');
    const [exitCode] = (await once(firstWorker.child, 'exit')) as [number | null];
    polling = false;
    await poll;
    expect(exitCode, firstWorker.output.join('\n')).to.equal(0);
    // Stopped mid-load: it had accepted some orders, and left some for the next worker.
    const acceptedBeforeRestart = (await counts()).accepted;
    expect(acceptedBeforeRestart).to.be.greaterThan(0).and.lessThan(ORDERS);
    expect(firstWorker.output).to.include('SIGTERM: stopping the endpoint').and.include('endpoint stopped');
    // Ready until the signal, then 503 (stopping, then stopped while its store closes), then nothing listens.
    const seen = probes.filter((p, i) => p !== probes[i - 1]);
    expect(seen.slice(0, 2), probes.join(', ')).to.deep.equal(['200 started', '503 stopping']);
    expect(seen.slice(2).every((p) => ['503 stopped', 'ECONNREFUSED', 'ECONNRESET'].includes(p)), seen.join(', ')).to.equal(true);
    expect(seen.at(-1), seen.join(', ')).to.be.oneOf(['ECONNREFUSED', 'ECONNRESET']);

    // Started again while the API goes on taking orders.
    const secondWorker = await start('worker');
    await load;
    expect(failures).to.deep.equal([]);

    // Every order accepted and e-mailed; then a pause for any late copy to show up.
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const c = await counts();
      if (c.accepted >= ORDERS && c.emails >= ORDERS) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 1000));
    expect(await counts()).to.deep.equal({ orders: ORDERS, accepted: ORDERS, acceptedOrders: ORDERS, emails: ORDERS, emailedOrders: ORDERS });

    // Nothing failed on the way.
    const connection = await amqp.connect(RABBITMQ_URL);
    try {
      const channel = await connection.createChannel();
      for (const q of ['worker-error', 'emails-error']) expect((await channel.checkQueue(`${prefix}-${q}`)).messageCount, q).to.equal(0);
    } finally {
      await connection.close();
    }

    for (const c of [secondWorker.child, api.child, subscriber.child]) {
      c.kill('SIGTERM');
      const [code] = (await once(c, 'exit')) as [number | null];
      expect(code).to.equal(0);
    }
  });
});
