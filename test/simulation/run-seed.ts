import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serializeTransportMessage } from '../../src/envelope/wire-format.js';
import { type Behaviour, PlaceOrder, SIM_MAX_MESSAGE_SIZE } from './sim-messages.js';
import { checkRun, type SentOrder } from './sim-oracle.js';
import { type Broken, type PubSub, type StoreKind, SimWorld, sessionOrderId } from './sim-world.js';
import { VirtualTime } from './virtual-time.js';

export interface SimOptions {
  readonly seed: number;
  readonly store: StoreKind;
  readonly orders?: number;
  readonly workers?: number;
  /** Crash worker processes at seams (at most `crashes` per run); 0 = a calm run. */
  readonly crashes?: number;
  /** Fail store and transport calls at seams (at most this many per run). */
  readonly faults?: number;
  readonly trace?: boolean;
  /** A known-broken store or operations tool the oracle must catch (see BrokenIdempotence, BrokenOperations). */
  readonly broken?: Broken;
  /** Subscriptions as rows the bus reads (default), or the broker's exchanges and bindings. */
  readonly pubsub?: PubSub;
}

export interface SimResult {
  readonly seed: number;
  readonly store: StoreKind;
  readonly problems: string[];
  readonly crashes: number;
  readonly faults: number;
  readonly steps: number;
  readonly virtualMs: number;
  readonly trace: string[];
  /** Messages the batched receivers handed out by takeReady, without a promise. */
  readonly readyHandOuts: number;
  /** Group-commit members opened without I/O (openUnitOfWork). */
  readonly openedWithoutIo: number;
  /** Group-commit batches that put members back (open longer than a write turn), and how many members. */
  readonly putBacks: { readonly batches: number; readonly members: number };
}

/** Everything settles within this much virtual time, or the run fails (liveness). */
const BOUND_MS = 15 * 60_000;

/**
 * One seeded run: workers compete for the endpoints' messages while the client sends orders (duplicates,
 * expiring and deferred ones among them), operations processes ingest what fails into the error queues
 * and return it once repaired, the seams crash and fail what the seed says, and at the end the oracle
 * checks the promise. The same options give the same run, step for step.
 */
export async function runSeed(o: SimOptions): Promise<SimResult> {
  const time = new VirtualTime(o.seed);
  const restore = time.install();
  const dir = mkdtempSync(join(tmpdir(), 'oncebus-sim-'));
  const crashes = o.crashes ?? 0;
  const faults = o.faults ?? 0;
  const world = new SimWorld(time, o.store, join(dir, 'sim.db'), { crash: crashes > 0 ? 0.004 : 0, fault: faults > 0 ? 0.004 : 0, maxCrashes: crashes, maxFaults: faults }, o.trace ?? false, o.broken, o.pubsub);
  const problems: string[] = [];
  try {
    let started = false;
    void world.start(o.workers ?? 2).then(() => (started = true));
    if ((await time.run(() => started, time.time + 60_000)) !== 'done') throw new Error('the processes did not start');

    const orders: SentOrder[] = [];
    let fed = false;
    void time.process.run(world.clientProcess, () => feed(world, time, o.orders ?? 12, orders)).then(() => (fed = true));
    let checkedAt = 0;
    const settled = () => {
      if (!fed || time.time - checkedAt < 100) return false;
      checkedAt = time.time;
      return quiet(world, orders);
    };
    const outcome = await time.run(settled, time.time + BOUND_MS);
    if (outcome !== 'done') problems.push(`not settled: the run ended '${outcome}' after ${Math.round((time.time - Date.UTC(2026, 0, 1)) / 1000)} s of virtual time`);
    problems.push(...checkRun(world, orders, crashes === 0 && faults === 0));
    return {
      seed: o.seed,
      store: o.store,
      problems,
      crashes: world.seams.log.crashes,
      faults: world.seams.log.faults,
      steps: world.seams.log.steps,
      virtualMs: time.time - Date.UTC(2026, 0, 1),
      trace: world.trace,
      readyHandOuts: world.readyHandOuts,
      openedWithoutIo: world.openedWithoutIo,
      putBacks: { ...world.putBacks },
    };
  } finally {
    world.close();
    restore();
  }
}

/** The client sends `count` orders over a little virtual time: some twice or three times, some expiring, some deferred. */
async function feed(world: SimWorld, time: VirtualTime, count: number, out: SentOrder[]): Promise<void> {
  const r = time.random;
  for (let i = 0; i < count; i++) {
    await time.sleep(Math.floor(r() * 40));
    const behaviour: Behaviour = {
      failures: r() < 0.2 ? 1 + Math.floor(r() * 2) : 0,
      poison: r() < 0.06,
      hangs: r() < 0.05,
      slowMs: r() < 0.2 ? Math.floor(r() * 100) : 0,
    };
    const mayExpire = r() < 0.12;
    const options = {
      expiresAt: mayExpire ? time.time + Math.floor(r() * 300) : undefined,
      deferUntil: r() < 0.1 ? time.time + Math.floor(r() * 500) : undefined,
    };
    const orderId = `o${i}`;
    // Some orders are placed through a web process's transactional session instead (its write and the send
    // commit together; the process may crash anywhere in it).
    const worker = r() < 0.3 ? world.liveWorker() : null;
    if (worker) {
      const rollsBack = r() < 0.15;
      world.placeThroughSession(worker, { orderId, behaviour, rollsBack });
      out.push({ orderId, messageId: sessionOrderId(orderId), behaviour, mayExpire: false, session: { rollsBack } });
      world.log(`web p${worker.id} session for ${orderId} ${JSON.stringify({ ...behaviour, rollsBack })}`);
      continue;
    }
    // A few client orders are too large for the orders endpoint once inflated (the client compresses).
    const oversized = r() < 0.05;
    const order = oversized ? new PlaceOrder(orderId, { ...behaviour, oversized }, '0'.repeat(2 * SIM_MAX_MESSAGE_SIZE)) : new PlaceOrder(orderId, behaviour);
    const sent = await world.clientBus.send(order, options);
    out.push({ orderId, messageId: sent.messageId, behaviour: order.behaviour, mayExpire });
    world.log(`client sent ${orderId} ${sent.messageId} ${JSON.stringify({ ...order.behaviour, ...options })}`);
    const copies = r() < 0.1 ? 2 : r() < 0.15 ? 1 : 0; // duplicates under the same messageId
    for (let c = 0; c < copies; c++) await world.broker.create('memory://orders').enqueue(sent, serializeTransportMessage(sent));
  }
}

/** Nothing left to do: every order is decided, no queue holds or carries anything, no failed message is owed a return. */
function quiet(world: SimWorld, orders: readonly SentOrder[]): boolean {
  for (const name of world.broker.queueNames()) {
    const state = world.broker.stateOf(`memory://${name}`);
    if (state.inFlight.size > 0 || state.ready.length > 0) return false;
  }
  if (world.storeProblems().length > 0 || world.operationsOwed() > 0) return false;
  return orders.length > 0;
}
