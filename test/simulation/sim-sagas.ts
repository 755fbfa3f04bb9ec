// The deterministic simulator for sagas: worker processes of one endpoint run two sagas (one keeping its
// completed instances, one removing them) whose instances are started by two racing messages, advanced by
// several at once (threadCount > 1, two processes), and completed by a Finish racing the timeout the
// instance requested at its start — or by that timeout alone. Over the memory transport, with the memory
// store, SQLite or SQLite with group commit, crashing and failing at awaited steps (queue, idempotence,
// saga store, handler) and restarting. The oracle (sim-saga-oracle.ts) checks each run; a failing seed
// replays exactly (npm run simulate -- --part sagas --seed N --store S --crashes C --faults F --trace).
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { Container } from 'inversify';
import type { IServiceBus } from '../../src/bus/service-bus.js';
import { addOncebus } from '../../src/di/add-oncebus.js';
import { TYPES } from '../../src/di/tokens.js';
import type { IIdempotenceServiceFactory } from '../../src/idempotence/idempotence-service-factory.js';
import { MemoryIdempotenceStore, type MemoryTransaction } from '../../src/idempotence/memory/index.js';
import type { ILogger } from '../../src/logging/logger.js';
import { messageTypeNameOf } from '../../src/messages/message-type.js';
import { defineSaga, memorySagaRows, SagaModule } from '../../src/sagas/index.js';
import { MemorySagaPersister } from '../../src/sagas/persistence/memory-saga-persister.js';
import { SqlSagaPersister } from '../../src/sagas/persistence/sql-saga-persister.js';
import { SqliteStore } from '../../src/stores/sqlite/index.js';
import { MemoryBroker } from '../../src/transports/memory/index.js';
import { type AdvanceEffect, type Completion, Fold, MESSAGES, NO_EFFECT } from './sim-saga-messages.js';
import { checkSagas, type SagaEffect, type SagaPlan, type SagaRow } from './sim-saga-oracle.js';
import { OutsideWrites, type SagaBroken, simSagaPersister } from './sim-saga-persister.js';
import { Seams } from './sim-seams.js';
import { type ProcessHandles, simIdempotence, simQueueFactory } from './sim-wrappers.js';
import { type SimProcessRef, VirtualTime } from './virtual-time.js';

export type SagaStoreKind = 'memory' | 'sqlite' | 'sqlite-gc';

export interface SagaSimOptions {
  readonly seed: number;
  readonly store: SagaStoreKind;
  /** Saga instances the workload drives. */
  readonly instances?: number;
  readonly workers?: number;
  /** Crashes of worker processes at seams (at most this many per run); 0 = a calm run. */
  readonly crashes?: number;
  /** Store, transport and saga store calls failed at seams (at most this many). */
  readonly faults?: number;
  readonly broken?: SagaBroken;
  readonly trace?: boolean;
}

export interface SagaSimResult {
  readonly problems: string[];
  readonly instances: number;
  /** Instances completed by their timeout, and by their Finish. */
  readonly byTimeout: number;
  readonly byFinish: number;
  /** Instances started again by a late starter after the saga that removes them removed the first. */
  readonly restarts: number;
  readonly crashes: number;
  readonly faults: number;
  readonly steps: number;
  readonly virtualMs: number;
  readonly trace: string[];
}

interface SimProcess extends SimProcessRef {
  readonly handles: ProcessHandles;
  readonly sqlite: SqliteStore | null;
  readonly buses: IServiceBus[];
}

const START = Date.UTC(2026, 0, 1);
/** Everything settles within this much virtual time, or the run fails (liveness). */
const BOUND_MS = 10 * 60_000;
const SAGA_QUEUE = 'memory://sagas';
/** The two sagas: one keeps its completed instances (answering nothing), one removes them at once (the default). */
const SAGA_TYPES: Readonly<Record<Completion, string>> = { kept: 'SimFoldKept', removed: 'SimFoldRemoved' };

/** One seeded run: the client drives `instances` saga instances while the workers crash and fail as the seed says. */
export async function runSagaSeed(o: SagaSimOptions): Promise<SagaSimResult> {
  const time = new VirtualTime(o.seed, START);
  // Made before the virtual time's seeded UUIDs are installed: the memory saga tables are process-wide by
  // storeId, and a seed's storeId would meet the table an earlier run of the same seed left (main.ts and the
  // tests run several variants of one seed in one process).
  const crashes = o.crashes ?? 0;
  const faults = o.faults ?? 0;
  const memoryStore = new MemoryIdempotenceStore({ flushLeaseMs: crashes === 0 && faults === 0 ? 60_000 : undefined });
  const restore = time.install();
  const dir = mkdtempSync(join(tmpdir(), 'oncebus-simsaga-'));
  const file = join(dir, 'sagas.db');
  const trace: string[] = [];
  const log = (line: string) => void (o.trace && trace.push(`${String(time.time - START).padStart(6)} ${line}`));
  const broker = new MemoryBroker();
  const processes: SimProcess[] = [];
  /** The memory store's committed saga steps (SQLite keeps them in its file). */
  const memoryEffects: SagaEffect[] = [];
  /** Advancing events whose handler stalled once already (the first time their instance was found). */
  const stalled = new Set<string>();
  /** Handlers stalling right now: the run is not over until they went on (and what they did was refused), or their process died. */
  const stalling = new Set<{ readonly process: SimProcess }>();
  let nextId = 0;

  const seams = new Seams(time, { crash: crashes > 0 ? 0.006 : 0, fault: faults > 0 ? 0.006 : 0, maxCrashes: crashes, maxFaults: faults }, (p, site) => crash(p as SimProcess, site));
  const outside = new OutsideWrites(async (write) => {
    // 'saga-state-outside-uow': a unit of work of its own, on the client's connection (never crashed; no group commit).
    const client = processes[0]!;
    const uow = await (client.sqlite ? client.sqlite.idempotence() : memoryStore).create('memory://saga-outside').beginUnitOfWork();
    try {
      await write(uow);
      await uow.commit();
    } catch (e) {
      await uow.rollback();
      throw e;
    }
  });

  function crash(p: SimProcess, site: string): void {
    p.alive = false;
    log(`crash of p${p.id} at ${site}`);
    for (const q of p.handles.queues) void q.close();
    if (p.sqlite) closeSqlite(p.sqlite);
    else for (const rollback of p.handles.rollbacks) void rollback().catch(() => undefined);
    // On the client's behalf: what the dead process runs is dropped.
    void time.process.run(processes[0]!, () => outside.crashed(p));
    const restartIn = 50 + Math.floor(time.random() * 500);
    time.process.exit(() => void time.sleep(restartIn).then(() => startProcess(false)));
  }

  function idempotenceOf(p: SimProcess): IIdempotenceServiceFactory {
    if (!p.sqlite) return memoryStore;
    return p.sqlite.idempotence({ flushLeaseMs: crashes === 0 && faults === 0 ? 60_000 : undefined, ...(o.store === 'sqlite-gc' ? { groupCommit: { lanes: 1, maxBatchSize: 4 } } : {}) });
  }

  async function startProcess(client: boolean): Promise<SimProcess> {
    const sqlite = o.store === 'memory' ? null : new SqliteStore({ file, synchronous: 'NORMAL', busyTimeoutMs: 600_000 });
    const p: SimProcess = { id: nextId++, alive: true, handles: { queues: [], rollbacks: [] }, sqlite, buses: [] };
    processes.push(p);
    log(`start of p${p.id}${client ? ' (client)' : ''}`);
    await time.process.run(p, async () => {
      if (sqlite && client) {
        await sqlite.store.ready();
        sqlite.database.native.exec('CREATE TABLE IF NOT EXISTS sim_saga_effects (seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT, instance_id TEXT, label TEXT, final TEXT)');
      }
      const bus = client ? clientEndpoint(p) : sagaEndpoint(p);
      p.buses.push(bus);
      await bus.start().catch((e: unknown) => log(`p${p.id} start failed: ${String(e)}`));
    });
    return p;
  }

  /** One committed step, in the handler's transaction: a row in SQLite's, or applied on the memory transaction's commit. */
  function recordStep(p: SimProcess, transaction: unknown, step: Omit<SagaEffect, 'seq'>): void {
    if (p.sqlite) {
      (transaction as Database.Database)
        .prepare('INSERT INTO sim_saga_effects (key, instance_id, label, final) VALUES (?, ?, ?, ?)')
        .run(step.key, step.instanceId, step.label, step.final ? JSON.stringify(step.final) : null);
    } else (transaction as MemoryTransaction).onCommit(() => memoryEffects.push({ ...step, seq: memoryEffects.length }));
  }

  /** One of the two sagas, for process `p` (its handlers pass the process's seams and record its steps). */
  function simSaga(p: SimProcess, completion: Completion) {
    const { Begin, Advance, Finish, Expire } = MESSAGES[completion];
    /** The timeout's name: requested without one, it is its message type's name. */
    const expiry = messageTypeNameOf(Expire)!;
    const builder = defineSaga(SAGA_TYPES[completion], Fold)
      .startedBy(Begin, (m) => m.key, async (ctx) => {
        log(`p${p.id} ${ctx.message.key} ${ctx.message.label} ${ctx.saga.isNew ? 'starts' : 'joins'} ${ctx.saga.id}`);
        await seams.step(p, 'saga-handler');
        if (ctx.saga.isNew) {
          ctx.saga.data.key = ctx.message.key;
          await ctx.saga.requestTimeout(new Expire(ctx.message.key, 1), { after: ctx.message.timeoutMs });
        }
        ctx.saga.data.applied.push(ctx.message.label);
        recordStep(p, ctx.transaction, { key: ctx.message.key, instanceId: ctx.saga.id, label: ctx.message.label, final: null });
      })
      .handles(Advance, (m) => m.key, async (ctx) => {
        const { key, label, effect } = ctx.message;
        log(`p${p.id} ${key} ${label} advances ${ctx.saga.id}`);
        await seams.step(p, 'saga-handler');
        // Given up meanwhile (handlerTimeout): what it does next must not reach the instance.
        if (effect.stallMs > 0 && !stalled.has(ctx.transportMessage.messageId)) {
          stalled.add(ctx.transportMessage.messageId);
          const stall = { process: p };
          stalling.add(stall);
          await time.sleep(effect.stallMs);
          stalling.delete(stall);
          log(`p${p.id} ${key} ${label} goes on after its stall`);
        }
        if (effect.reRequestMs > 0) await ctx.saga.requestTimeout(new Expire(key, 2), { after: effect.reRequestMs });
        if (effect.cancels) ctx.saga.cancelTimeout(expiry);
        ctx.saga.data.applied.push(label);
        recordStep(p, ctx.transaction, { key, instanceId: ctx.saga.id, label, final: null });
      })
      .handles(Finish, (m) => m.key, async (ctx) => {
        log(`p${p.id} ${ctx.message.key} finishes ${ctx.saga.id}`);
        await seams.step(p, 'saga-handler');
        complete(p, ctx, 'f');
      })
      .timeout(Expire, async (ctx) => {
        log(`p${p.id} ${ctx.message.key} times out (round ${ctx.message.round}) ${ctx.saga.id}`);
        await seams.step(p, 'saga-handler');
        complete(p, ctx, `t${ctx.message.round}`);
      })
      // An advancing event may overtake its starters: it is retried until the instance exists. Once the
      // instance completed, a late message (a Finish after the timeout, an event held up by a crash) is
      // acknowledged: the application knows its instance is done (here, from the committed steps).
      .whenNotFound((ctx) => (completedKeys().has((ctx.message as { key: string }).key) ? 'ignore' : 'retry'));
    // Kept: a late starter finds the completed instance and is ignored. Removed: a late starter starts anew.
    return (completion === 'kept' ? builder.keepCompletedFor('7d') : builder).build();
  }

  function sagaEndpoint(p: SimProcess): IServiceBus {
    const sagas = [simSaga(p, 'kept'), simSaga(p, 'removed')];
    const container = new Container();
    container.bind(TYPES.QueueFactory).toConstantValue(simQueueFactory(broker, p, seams, p.handles));
    container.bind(TYPES.IdempotenceServiceFactory).toConstantValue(simIdempotence(idempotenceOf(p), p, seams, p.handles));
    container.bind(TYPES.Logger).toConstantValue(logger(p, log));
    // The saga store behind seams (and the broken variant's change), in the endpoint's own store.
    const persister = simSagaPersister(p.sqlite ? new SqlSagaPersister() : new MemorySagaPersister(), p, seams, o.broken, outside, p.sqlite ? undefined : () => memoryStore.create('memory://saga-peek').beginUnitOfWork());
    container.bind(TYPES.Module).toConstantValue(new SagaModule({ persister }));
    addOncebus(container, {
      name: 'sagas',
      handlers: sagas.flatMap((saga) => saga.handlers),
      idempotence: true,
      handlerTimeout: '2s',
      stopTimeout: '1s',
      inbox: {
        workQueueUri: SAGA_QUEUE,
        errorQueueUri: `${SAGA_QUEUE}-error`,
        deferredQueueUri: `${SAGA_QUEUE}-deferred`,
        // Several messages of one instance at once in each process (and more under group commit, so its batches fill).
        threadCount: o.store === 'sqlite-gc' ? 4 : 3,
        // Enough attempts for an advancing event to outwait its starters across a crash and restart.
        maximumFailureCount: 10,
        durationToIgnoreOnFailure: ['20ms', '50ms', '100ms', '200ms'],
        durationToSleepWhenIdle: ['5ms', '20ms', '50ms'],
      },
    });
    return container.get<IServiceBus>(TYPES.ServiceBus);
  }

  /** The completing step: the state it completes with is recorded with it. */
  function complete(p: SimProcess, ctx: { message: { key: string }; transaction: unknown; saga: { id: string; data: Fold; complete(): void } }, label: string): void {
    ctx.saga.data.applied.push(label);
    ctx.saga.complete();
    recordStep(p, ctx.transaction, { key: ctx.message.key, instanceId: ctx.saga.id, label, final: [...ctx.saga.data.applied] });
  }

  /** The client: a send-only endpoint (never crashed: process 0). */
  function clientEndpoint(p: SimProcess): IServiceBus {
    const container = new Container();
    container.bind(TYPES.QueueFactory).toConstantValue(simQueueFactory(broker, p, seams, p.handles));
    container.bind(TYPES.Logger).toConstantValue(logger(p, log));
    const types = Object.values(MESSAGES).flatMap((m) => [m.Begin, m.Advance, m.Finish]);
    addOncebus(container, { name: 'saga-client', routes: [{ uri: SAGA_QUEUE, specifications: [{ types }] }], stopTimeout: '1s' });
    return container.get<IServiceBus>(TYPES.ServiceBus);
  }

  /** Keys whose completing step committed. */
  const completedKeys = (): Set<string> => new Set(effects().filter((e) => e.final !== null).map((e) => e.key));

  const effects = (): SagaEffect[] => {
    if (o.store === 'memory') return memoryEffects;
    const rows = processes[0]!.sqlite!.database.native.prepare('SELECT seq, key, instance_id AS instanceId, label, final FROM sim_saga_effects ORDER BY seq').all() as (Omit<SagaEffect, 'final'> & { final: string | null })[];
    return rows.map((r) => ({ ...r, final: r.final === null ? null : (JSON.parse(r.final) as string[]) }));
  };

  const problems: string[] = [];
  try {
    let client: SimProcess | null = null;
    void (async () => {
      client = await startProcess(true);
      for (let i = 0; i < (o.workers ?? 2); i++) await startProcess(false);
    })();
    if ((await time.run(() => client !== null && processes.length > (o.workers ?? 2), time.time + 60_000)) !== 'done') throw new Error('the processes did not start');
    const plans: SagaPlan[] = [];
    let fed = false;
    void time.process.run(client!, () => feed(client!.buses[0]!, time, o.instances ?? 8, plans, log)).then(() => (fed = true));
    let checkedAt = 0;
    const settled = () => {
      if (!fed || time.time - checkedAt < 100) return false;
      checkedAt = time.time;
      return [...stalling].every((s) => !s.process.alive) && quiet(broker) && storeProblems(o.store, memoryStore, processes).length === 0;
    };
    const outcome = await time.run(settled, time.time + BOUND_MS);
    if (outcome !== 'done') problems.push(`not settled: the run ended '${outcome}' after ${Math.round((time.time - START) / 1000)} s of virtual time`);
    const checked = checkSagas(plans, effects(), sagaRows(o.store, processes[0]!, memoryStore), SAGA_TYPES);
    problems.push(...checked.problems);
    for (const name of broker.queueNames()) {
      const state = broker.stateOf(`memory://${name}`);
      if (state.inFlight.size > 0) problems.push(`queue ${name}: ${state.inFlight.size} message(s) still in flight`);
      if (state.ready.length > 0) problems.push(`queue ${name}: ${state.ready.length} message(s) never ${name.endsWith('-error') ? 'dealt with (a saga message was given up)' : 'handled'}`);
    }
    problems.push(...storeProblems(o.store, memoryStore, processes));
    return {
      problems,
      instances: plans.length,
      byTimeout: checked.byTimeout,
      byFinish: checked.byFinish,
      restarts: checked.restarts,
      crashes: seams.log.crashes,
      faults: seams.log.faults,
      steps: seams.log.steps,
      virtualMs: time.time - START,
      trace,
    };
  } finally {
    for (const p of processes) {
      p.alive = false;
      if (p.sqlite) closeSqlite(p.sqlite);
    }
    restore();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The client drives `count` instances, each over a little virtual time: two starters (different messages,
 * a few ms apart), two or three advancing events at once, and — for most — a Finish sent around the
 * moment the instance's timeout is due, so that either may complete it. The rest only time out. Instances
 * alternate between the saga that keeps completed instances and the one that removes them.
 */
async function feed(bus: IServiceBus, time: VirtualTime, count: number, out: SagaPlan[], log: (line: string) => void): Promise<void> {
  const r = time.random;
  const sends: { at: number; message: object; what: string }[] = [];
  for (let i = 0; i < count; i++) {
    const completion: Completion = i % 2 === 0 ? 'kept' : 'removed';
    const { Begin, Advance, Finish } = MESSAGES[completion];
    const key = `${completion === 'kept' ? 'k' : 'r'}${i}`;
    const at = time.time + Math.floor(r() * 80);
    const timeoutMs = 150 + Math.floor(r() * 200);
    const advances = Array.from({ length: 2 + Math.floor(r() * 2) }, (_, n) => `a${n + 1}`);
    const finish = r() < 0.7;
    // The first advancing event may request the timeout again, or — where a Finish will come to the same
    // instance — cancel it (not in the saga that removes instances: a late starter's new instance may take
    // the cancel, and then neither a Finish nor a timeout would ever come to it).
    const choice = r();
    const reRequest = choice < 0.25;
    const cancel = finish && completion === 'kept' && choice >= 0.25 && choice < 0.45;
    out.push({ key, completion, starters: ['b1', 'b2'], advances, finish, reRequest, cancel });
    sends.push({ at, message: new Begin(key, 'b1', timeoutMs), what: `${key} b1` });
    // Now and then, for the saga that removes completed instances, the second starter comes late: it starts the key anew.
    const late = completion === 'removed' && r() < 0.15;
    sends.push({ at: at + (late ? timeoutMs + 150 + Math.floor(r() * 100) : Math.floor(r() * 4)), message: new Begin(key, 'b2', timeoutMs), what: `${key} b2${late ? ' (late)' : ''}` });
    for (const [n, label] of advances.entries()) {
      const effect: AdvanceEffect = {
        ...NO_EFFECT,
        ...(n === 0 && reRequest ? { reRequestMs: timeoutMs + Math.floor(r() * 100) } : {}),
        ...(n === 0 && cancel ? { cancels: true } : {}),
        // Now and then an event's first attempt stalls past handlerTimeout (2 s) and is given up.
        ...(r() < 0.05 ? { stallMs: 2500 } : {}),
      };
      sends.push({ at: at + Math.floor(r() * 6), message: new Advance(key, label, effect), what: `${key} ${label} ${JSON.stringify(effect)}` });
    }
    if (finish) sends.push({ at: at + timeoutMs + Math.floor(r() * 120) - 60, message: new Finish(key), what: `${key} finish` });
  }
  sends.sort((a, b) => a.at - b.at);
  await Promise.all(
    sends.map(async (s) => {
      await time.sleep(s.at - time.time);
      const sent = await bus.send(s.message);
      log(`client sent ${s.what} ${sent.messageId}`);
    }),
  );
}

/** No queue holds or carries anything (the deferred queue included: every timeout was delivered). */
function quiet(broker: MemoryBroker): boolean {
  for (const name of broker.queueNames()) {
    const state = broker.stateOf(`memory://${name}`);
    if (state.inFlight.size > 0 || state.ready.length > 0) return false;
  }
  return true;
}

/** What the idempotence store still holds that it should not once everything settled. */
function storeProblems(store: SagaStoreKind, memoryStore: MemoryIdempotenceStore, processes: readonly SimProcess[]): string[] {
  const problems: string[] = [];
  if (store === 'memory') {
    if (memoryStore.heldClaims > 0) problems.push(`${memoryStore.heldClaims} claim(s) still held by open units of work`);
    for (const [key, row] of memoryStore.rows) if (row.status !== 'completed' || row.deferred.length > 0) problems.push(`row ${key.replace('\u0000', ' ')} left '${row.status}' with ${row.deferred.length} send(s) owed`);
    return problems;
  }
  const db = processes[0]!.sqlite!.database.native;
  const open = db.prepare("SELECT inbox_uri, message_id, status FROM oncebus_idempotence WHERE status <> 'completed'").all() as { inbox_uri: string; message_id: string; status: string }[];
  for (const r of open) problems.push(`row ${r.inbox_uri} ${r.message_id} left '${r.status}'`);
  const stored = (db.prepare('SELECT count(*) AS n FROM oncebus_idempotence_deferred').get() as { n: number }).n;
  if (stored > 0) problems.push(`${stored} stored send(s) never settled`);
  for (const p of processes) if (p.alive && p.sqlite?.database.native.inTransaction) problems.push(`process ${p.id} left a transaction open`);
  return problems;
}

/** The sagas table after the run (SQLite's, or the memory store's rows). */
function sagaRows(store: SagaStoreKind, client: SimProcess, memoryStore: MemoryIdempotenceStore): SagaRow[] {
  const rows =
    store === 'memory'
      ? memorySagaRows(memoryStore.storeId)
      : (client.sqlite!.database.native.prepare('SELECT saga_type AS sagaType, correlation_id AS correlationId, instance_id AS instanceId, completed_at AS completedAt FROM oncebus_sagas').all() as { sagaType: string; correlationId: string; instanceId: string; completedAt: number | null }[]);
  return rows.map((r) => ({ sagaType: r.sagaType, correlationId: r.correlationId, instanceId: r.instanceId, completed: r.completedAt !== null }));
}

function logger(p: SimProcessRef, log: (line: string) => void): ILogger {
  const line = (level: string) => (message: string, meta?: Record<string, unknown>) => log(`p${p.id} ${level} ${message} ${meta ? JSON.stringify(meta) : ''}`);
  return { debug: () => undefined, info: line('info'), warn: line('warn'), error: line('error'), isDebugEnabled: () => false };
}

/** Drops a process's SQLite connections: SQLite rolls back what they had open. */
function closeSqlite(store: SqliteStore): void {
  const db = store.database as unknown as { native: Database.Database; reader: Database.Database };
  for (const connection of [db.native, db.reader]) {
    try {
      if (connection.open) connection.close();
    } catch {
      // already gone
    }
  }
}
