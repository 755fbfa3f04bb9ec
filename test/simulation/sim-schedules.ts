// The deterministic simulator for schedules: two processes of one endpoint fire an every-second schedule
// over the memory transport, with the memory store or one SQLite file, crashing and failing at awaited
// steps and restarting; the oracle checks each tick's message was sent once. A failing seed replays exactly.
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { Container } from 'inversify';
import type { IServiceBus } from '../../src/bus/service-bus.js';
import { addOncebus } from '../../src/di/add-oncebus.js';
import { TYPES } from '../../src/di/tokens.js';
import { deserializeTransportMessage } from '../../src/envelope/wire-format.js';
import type { TransportMessage } from '../../src/envelope/transport-message.js';
import type { IIdempotenceService } from '../../src/idempotence/idempotence-service.js';
import type { IIdempotenceServiceFactory } from '../../src/idempotence/idempotence-service-factory.js';
import { MemoryIdempotenceStore } from '../../src/idempotence/memory/index.js';
import type { ILogger } from '../../src/logging/logger.js';
import { messageType } from '../../src/messages/message-type.js';
import { SCHEDULE_TICK_HEADER } from '../../src/schedules/schedule-headers.js';
import { SqliteStore } from '../../src/stores/sqlite/index.js';
import { MemoryBroker } from '../../src/transports/memory/index.js';
import { Seams } from './sim-seams.js';
import { type ProcessHandles, simIdempotence, simQueueFactory } from './sim-wrappers.js';
import { type SimProcessRef, VirtualTime } from './virtual-time.js';

/** What the schedule sends at each tick. */
@messageType('sim.Chime')
export class Chime {
  constructor(public tick = '') {}
}

/**
 * A known-broken variant the oracle must catch. 'tick-per-copy': the inbox's idempotence tells the tick
 * copies apart (as if each process sent its tick under an id of its own, e.g. a random one), so every copy
 * runs the tick's unit of work.
 */
export type ScheduleBroken = 'tick-per-copy';

export interface ScheduleSimOptions {
  readonly seed: number;
  readonly store: 'memory' | 'sqlite';
  /** Crashes of the processes at seams (at most this many per run); 0 = a calm run. */
  readonly crashes?: number;
  /** Store and transport calls failed at seams (at most this many). */
  readonly faults?: number;
  /** Virtual seconds of ticks the oracle checks. */
  readonly seconds?: number;
  readonly broken?: ScheduleBroken;
  readonly trace?: boolean;
}

export interface ScheduleSimResult {
  readonly problems: string[];
  /** Ticks the oracle checked. */
  readonly ticks: number;
  /** Ticks whose message never went out (allowed only where crashes left no process to send them). */
  readonly missing: number;
  /** Ticks whose unit of work committed more than once. */
  readonly duplicates: number;
  /** Tick copies fired (by either process), and the ones idempotence dropped or flushed only. */
  readonly fired: number;
  readonly crashes: number;
  readonly faults: number;
  readonly trace: string[];
}

interface SimProcess extends SimProcessRef {
  readonly handles: ProcessHandles;
  readonly sqlite: SqliteStore | null;
}

const START = Date.UTC(2026, 0, 1);
const PROCESSES = 2;

/** One seeded run: two processes fire the schedule for `seconds` of virtual time, then the oracle checks. */
export async function runScheduleSeed(o: ScheduleSimOptions): Promise<ScheduleSimResult> {
  const time = new VirtualTime(o.seed, START);
  const restore = time.install();
  const dir = mkdtempSync(join(tmpdir(), 'oncebus-simsched-'));
  const file = join(dir, 'schedules.db');
  const crashes = o.crashes ?? 0;
  const faults = o.faults ?? 0;
  const end = START + (o.seconds ?? 20) * 1000;
  const trace: string[] = [];
  const log = (line: string) => void (o.trace && trace.push(`${String(time.time - START).padStart(6)} ${line}`));
  const broker = new MemoryBroker();
  const memoryStore = new MemoryIdempotenceStore();
  const processes: SimProcess[] = [];
  /** Commits of a tick's unit of work, by tick: more than one is a tick whose message was sent twice. */
  const committed = new Map<string, number>();
  let fired = 0;
  let nextId = 1;

  const seams = new Seams(time, { crash: crashes > 0 ? 0.01 : 0, fault: faults > 0 ? 0.01 : 0, maxCrashes: crashes, maxFaults: faults }, (p, site) => crash(p as SimProcess, site));

  function crash(p: SimProcess, site: string): void {
    p.alive = false;
    log(`crash of p${p.id} at ${site}`);
    for (const q of p.handles.queues) void q.close();
    if (p.sqlite) closeSqlite(p.sqlite);
    else for (const rollback of p.handles.rollbacks) void rollback().catch(() => undefined);
    const restartIn = 50 + Math.floor(time.random() * 500);
    time.process.exit(() => void time.sleep(restartIn).then(() => startProcess()));
  }

  async function startProcess(): Promise<void> {
    const sqlite = o.store === 'sqlite' ? new SqliteStore({ file, synchronous: 'NORMAL', busyTimeoutMs: 600_000 }) : null;
    const p: SimProcess = { id: nextId++, alive: true, handles: { queues: [], rollbacks: [] }, sqlite };
    processes.push(p);
    log(`start of p${p.id}`);
    await time.process.run(p, async () => {
      if (sqlite) await sqlite.store.ready();
      const bus = endpoint(p);
      await bus.start().catch((e: unknown) => log(`p${p.id} start failed: ${String(e)}`));
    });
  }

  function endpoint(p: SimProcess): IServiceBus {
    const container = new Container();
    container.bind(TYPES.QueueFactory).toConstantValue(simQueueFactory(broker, p, seams, p.handles));
    const store: IIdempotenceServiceFactory = p.sqlite ? p.sqlite.idempotence() : memoryStore;
    const sim = simIdempotence(store, p, seams, p.handles);
    container.bind(TYPES.IdempotenceServiceFactory).toConstantValue(o.broken === 'tick-per-copy' ? tickPerCopy(sim) : sim);
    container.bind(TYPES.Logger).toConstantValue(logger(p, log));
    addOncebus(container, {
      name: 'clock',
      idempotence: true,
      handlerTimeout: '2s',
      stopTimeout: '1s',
      schedules: [{ name: 'chime', cron: '* * * * * *', message: (tick: Date) => new Chime(tick.toISOString()) }],
      routes: [{ uri: 'memory://chimes', specifications: [{ types: [Chime] }] }],
      inbox: {
        workQueueUri: 'memory://clock',
        errorQueueUri: 'memory://clock-error',
        deferredQueueUri: 'memory://clock-deferred',
        threadCount: 2,
        maximumFailureCount: 5,
        durationToIgnoreOnFailure: ['50ms'],
        durationToSleepWhenIdle: ['5ms', '20ms', '50ms'],
      },
    });
    const bus = container.get<IServiceBus>(TYPES.ServiceBus);
    bus.events.on('messageDispatched', (tm) => {
      if (tm.messageType !== 'oncebus.ScheduleTick') return;
      fired++;
      log(`p${p.id} fired ${tickOf(tm)}`);
    });
    bus.events.on('messageHandled', (tm) => {
      if (tm.messageType !== 'oncebus.ScheduleTick') return;
      const tick = tickOf(tm);
      committed.set(tick, (committed.get(tick) ?? 0) + 1);
      log(`p${p.id} committed tick ${tick}`);
    });
    return bus;
  }

  /** The chimes on the chimes queue, by tick: every copy, and the distinct messageIds among them. */
  const chimes = () => {
    const byTick = new Map<string, { copies: number; ids: Set<string> }>();
    for (const entry of broker.stateOf('memory://chimes').ready.toArray()) {
      const tm = deserializeTransportMessage(entry.body);
      const tick = tm.headers[SCHEDULE_TICK_HEADER] ?? '?';
      const seen = byTick.get(tick) ?? { copies: 0, ids: new Set<string>() };
      seen.copies++;
      seen.ids.add(tm.messageId);
      byTick.set(tick, seen);
    }
    return byTick;
  };
  const expected: string[] = [];
  for (let t = START; t <= end; t += 1000) expected.push(new Date(t).toISOString());

  const problems: string[] = [];
  try {
    for (let i = 0; i < PROCESSES; i++) void startProcess();
    // Settled: every checked tick has its chime, and a few seconds passed for late copies to show.
    let checkedAt = 0;
    const settled = () => {
      if (time.time < end + 3000 || time.time - checkedAt < 100) return false;
      checkedAt = time.time;
      const seen = chimes();
      return expected.every((t) => seen.has(t));
    };
    await time.run(settled, end + 30_000);
    const seen = chimes();
    const calm = crashes === 0 && faults === 0;
    let missing = 0;
    let duplicates = 0;
    for (const tick of expected) {
      const chime = seen.get(tick);
      const commits = committed.get(tick) ?? 0;
      if (!chime) missing++;
      if (commits > 1 || (chime && chime.ids.size > 1)) {
        duplicates++;
        problems.push(`tick ${tick}: its unit of work committed ${commits} times, ${chime?.ids.size ?? 0} distinct message(s) sent`);
      }
      // Calm: nothing may justify a second copy on the wire (a crashed flush re-sends under the same id).
      if (calm && chime && chime.copies !== 1) problems.push(`tick ${tick}: ${chime.copies} copies in a calm run`);
    }
    if (calm && missing > 0) problems.push(`${missing} tick(s) never sent in a calm run`);
    // A missed tick needs a crash: both processes down across it, or the one firing it dying mid-send.
    if (missing > crashes) problems.push(`${missing} tick(s) never sent, with ${seams.log.crashes} crash(es)`);
    return { problems, ticks: expected.length, missing, duplicates, fired, crashes: seams.log.crashes, faults: seams.log.faults, trace };
  } finally {
    for (const p of processes) {
      p.alive = false;
      if (p.sqlite) closeSqlite(p.sqlite);
    }
    restore();
    rmSync(dir, { recursive: true, force: true });
  }
}

const tickOf = (tm: TransportMessage): string => {
  try {
    return (JSON.parse(new TextDecoder().decode(tm.message)) as { tick?: string }).tick ?? '?';
  } catch {
    return '?';
  }
};

/**
 * The broken variant: the store keys each delivered tick copy apart (an alias id per copy), as if each
 * process had sent its tick under its own id. Only ticks; every other message is keyed as it should be.
 */
function tickPerCopy(inner: IIdempotenceServiceFactory): IIdempotenceServiceFactory {
  let copies = 0;
  const alias = new WeakMap<TransportMessage, TransportMessage>();
  const keyed = (tm: TransportMessage): TransportMessage => {
    if (tm.messageType !== 'oncebus.ScheduleTick') return tm;
    let a = alias.get(tm);
    if (!a) alias.set(tm, (a = { ...tm, messageId: `${tm.messageId}~copy${++copies}` }));
    return a;
  };
  return {
    create(inbox: string): IIdempotenceService {
      const svc = inner.create(inbox);
      return {
        ...svc,
        beginUnitOfWork: () => svc.beginUnitOfWork(),
        processingStatus: (tm, uow) => svc.processingStatus(keyed(tm), uow),
        addDeferredMessage: (received, outgoing, body, uow) => svc.addDeferredMessage(keyed(received), outgoing, body, uow),
        messageHandled: (tm, uow) => svc.messageHandled(keyed(tm), uow),
        getDeferredMessages: (received, onWaiting) => svc.getDeferredMessages(keyed(received), onWaiting),
        deferredMessageSent: (received, deferred) => svc.deferredMessageSent(keyed(received), deferred),
        processingCompleted: (tm) => svc.processingCompleted(keyed(tm)),
        releaseFlush: (tm) => svc.releaseFlush(keyed(tm)),
        isHandled: (tm) => svc.isHandled(keyed(tm)),
      };
    },
  };
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
