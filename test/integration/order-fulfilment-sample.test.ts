import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const SAMPLE = fileURLToPath(new URL('../../samples/order-fulfilment/main.js', import.meta.url));

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
}

const children: ChildProcess[] = [];

/** Runs the demo as `npm run sample:sagas -- <args>` would (after the build), on the test's own database file. */
function demo(database: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SAMPLE, '--payment-timeout', '4s', ...args], { env: { ...process.env, ONCEBUS_SAGA_DEMO_DB: database }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    children.push(child);
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal, output }));
  });
}

/** The order ids a run made up, by chapter letter (A-1X2Y …), read from its story. */
const orderIds = (run: Run, letter: string): string[] => [...new Set([...run.output.matchAll(new RegExp(`OrderPlaced (${letter}-\\w+)`, 'g'))].map((m) => m[1]!))];

describe('the order-fulfilment saga sample (npm run sample:sagas): a saga per order on one SQLite file, killed half-way and run again', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'oncebus-saga-sample-'));
  const database = join(dir, 'fulfilment.db');
  let crashed: Run;
  let resumed: Run;
  let afterCrash: { shipped: string[]; interrupted: string[]; sagas: { correlation_id: string; version: number }[] };
  let finalDb: Database.Database | undefined;
  const rows = (table: string, orderId: string) => (finalDb!.prepare(`SELECT count(*) AS n FROM ${table} WHERE order_id = ?`).get(orderId) as { n: number }).n;

  before(async () => {
    // The first run goes through its story, then kills itself (SIGKILL) right after an order's payment committed.
    crashed = await demo(database, ['--fresh', '--crash']);
    const db = new Database(database, { readonly: true });
    try {
      afterCrash = {
        shipped: (db.prepare('SELECT order_id FROM shipments').all() as { order_id: string }[]).map((r) => r.order_id),
        interrupted: (db.prepare('SELECT order_id FROM interrupted').all() as { order_id: string }[]).map((r) => r.order_id),
        // The SQLite store's saga table (prefix oncebus_): the instances still running when the process died.
        sagas: db.prepare("SELECT correlation_id, version FROM oncebus_sagas WHERE saga_type = 'OrderFulfilment'").all() as { correlation_id: string; version: number }[],
      };
    } finally {
      db.close();
    }
    // The second starts again on the same file, as a user would after the crash.
    resumed = await demo(database, []);
    finalDb = new Database(database, { readonly: true });
  });

  after(() => {
    // A demo that hung (a saga that never ships) must not outlive the test.
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    finalDb?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the first run was killed by its --crash, and the second ended with a clean audit', () => {
    expect(crashed.signal, crashed.output).to.equal('SIGKILL');
    expect(resumed.code, resumed.output).to.equal(0);
    expect(resumed.output).to.include('Every order shipped once or cancelled once');
  });

  it('ships a paid and reserved order exactly once, in each run', () => {
    const paidAndReserved = [...orderIds(crashed, 'A'), ...orderIds(resumed, 'A')];
    expect(paidAndReserved).to.have.length(2);
    for (const orderId of paidAndReserved) {
      expect({ orderId, shipped: rows('shipments', orderId), cancelled: rows('cancellations', orderId) }).to.deep.equal({ orderId, shipped: 1, cancelled: 0 });
    }
    expect(resumed.output).to.match(/\[fulfilment\] A-\w+ is paid and reserved → ShipOrder; the saga completes/);
  });

  it('cancels an unpaid order when its PaymentDue timeout comes, and releases its stock, once', () => {
    const unpaid = [...orderIds(crashed, 'B'), ...orderIds(resumed, 'B')];
    expect(unpaid).to.have.length(2);
    for (const orderId of unpaid) {
      expect({ orderId, shipped: rows('shipments', orderId), cancelled: rows('cancellations', orderId), released: rows('releases', orderId) }).to.deep.equal({ orderId, shipped: 0, cancelled: 1, released: 1 });
    }
    expect(resumed.output).to.match(/\[fulfilment\] PaymentDue B-\w+: still unpaid \(paid: no, reserved: yes\) → CancelOrder, ReleaseStock/);
  });

  it('a duplicate PaymentReceived changes nothing: a second notification is seen as paid already, a redelivered copy never reaches the saga', () => {
    const [orderId] = orderIds(resumed, 'C');
    expect(orderId).to.be.a('string');
    expect(resumed.output).to.include(`PaymentReceived ${orderId} again: already paid, nothing changes`);
    expect(resumed.output).to.include(`[fulfilment] PaymentReceived ${orderId} (message payment-${orderId}) again: handled before, so acknowledged; the saga did not run`);
    expect({ shipped: rows('shipments', orderId!), cancelled: rows('cancellations', orderId!) }).to.deep.equal({ shipped: 1, cancelled: 0 });
    // The saga ran for the first payment and the second notification only: the copy was skipped before it.
    expect(resumed.output.split('\n').filter((l) => l.includes(`[fulfilment] PaymentReceived ${orderId}`) && l.includes('(saga '))).to.have.length(2);
  });

  it('a restart mid-way resumes the saga from the store: paid before the kill, reserved after it, shipped once', () => {
    const [orderId] = orderIds(crashed, 'D');
    expect(orderId).to.be.a('string');
    // Killed after the payment committed: not shipped, and the demo knows it must carry on.
    expect(afterCrash.shipped.filter((id) => id.startsWith('D-'))).to.deep.equal([]);
    expect(afterCrash.interrupted).to.deep.equal([orderId]);
    // Its saga is in the store as the payment left it: started (version 1), then paid (version 2).
    expect(afterCrash.sagas).to.deep.equal([{ correlation_id: orderId, version: 2 }]);
    expect(crashed.output).to.include(`[fulfilment] PaymentReceived ${orderId}: paid: yes, reserved: no`);
    // The new process loads the saga with the payment recorded, and ships.
    expect(resumed.output).to.include('0. A previous run was killed half-way through an order');
    // The payment the killed run committed but never acknowledged comes back, and idempotence keeps it from the saga.
    expect(resumed.output).to.include(`[fulfilment] PaymentReceived ${orderId} came back: it had committed before the crash, so the saga did not run again`);
    expect(resumed.output).to.include(`[fulfilment] StockReserved ${orderId}: paid: yes, reserved: yes (loaded from the store)`);
    expect({ shipped: rows('shipments', orderId!), cancelled: rows('cancellations', orderId!) }).to.deep.equal({ shipped: 1, cancelled: 0 });
    // Every saga completed, and completed instances are deleted (no keepCompletedFor).
    expect((finalDb!.prepare('SELECT count(*) AS n FROM oncebus_sagas').get() as { n: number }).n).to.equal(0);
  });
});
