import 'reflect-metadata';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emptyTransportMessage, type TransportMessage } from '../../src/envelope/transport-message.js';
import { serializeTransportMessage } from '../../src/envelope/wire-format.js';
import { isCreateQueue, type IQueue } from '../../src/transport/queue.js';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import type { IServiceBus } from '../../src/bus/service-bus.js';
import { FollowUp } from './crash-messages.js';
import type { PostgresStore } from '../../src/stores/postgres/index.js';
import type { SqliteStore } from '../../src/stores/sqlite/index.js';
import type { CrashConfig } from './crash-endpoint.js';
import { disposeTwoDatabases, drainQueue, openTwoDatabases } from './two-databases.js';
import { eventually } from './latch.js';
import { PG_URL } from './sql-subjects.js';

const ENDPOINT = fileURLToPath(new URL('./crash-endpoint.js', import.meta.url));

export interface Child {
  readonly process: ChildProcess;
  readonly ready: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then wait for the exit. */
  stop(): Promise<void>;
}

/**
 * The parent side of a crash test: the two databases (work + idempotence, and the follow-ups' own), the
 * business table, the queues, and child endpoint processes started with or without a fault point.
 */
export class CrashWorld {
  readonly config: CrashConfig;
  readonly main: PostgresStore | SqliteStore;
  readonly out: PostgresStore | SqliteStore;
  readonly work: IQueue;
  readonly followups: IQueue;
  private readonly children: Child[] = [];
  private readonly dir: string | null;

  private constructor(
    readonly kind: 'postgres' | 'sqlite',
    groupCommit = false,
    batch?: number,
  ) {
    const id = randomUUID().replace(/-/g, '').slice(0, 10);
    if (kind === 'postgres') {
      this.dir = null;
      this.config = { kind, groupCommit, pgUrl: PG_URL, schema: `crash_${id}`, outSchema: `crash_out_${id}`, threads: 2, ...(batch ? { batch } : {}) };
    } else {
      this.dir = mkdtempSync(join(tmpdir(), 'oncebus-crash-'));
      this.config = { kind, sqliteFile: join(this.dir, 'main.db'), outSqliteFile: join(this.dir, 'out.db'), threads: 2, leaseMs: 1500, ...(batch ? { batch } : {}) };
    }
    ({ main: this.main, out: this.out } = openTwoDatabases(this.config));
    this.work = this.main.queues.create('main://default/work');
    this.followups = this.out.queues.create('out://default/followups');
  }

  static async create(kind: 'postgres' | 'sqlite', options: { groupCommit?: boolean; batch?: number } = {}): Promise<CrashWorld> {
    const w = new CrashWorld(kind, options.groupCommit, options.batch);
    await w.main.store.ready();
    await w.out.store.ready();
    for (const q of [w.work, w.followups, w.main.queues.create('main://default/work-error')]) if (isCreateQueue(q)) await q.create();
    const table = kind === 'postgres' ? `${w.config.schema}.business` : 'business';
    // No key on message_id on purpose: a doubled effect must show up as two rows.
    await w.main.database.execute(`CREATE TABLE ${table} (message_id text NOT NULL, pid integer NOT NULL)`);
    return w;
  }

  async enqueueWork(count: number): Promise<TransportMessage[]> {
    const sent: TransportMessage[] = [];
    for (let n = 0; n < count; n++) sent.push(await this.enqueueCopy(this.workItem(n)));
    return sent;
  }

  workItem(n: number): TransportMessage {
    const tm = emptyTransportMessage();
    tm.messageId = randomUUID();
    tm.messageType = 'crash.WorkItem';
    tm.recipientInboxWorkQueueUri = 'main://default/work';
    tm.sendDate = Date.now();
    tm.message = Buffer.from(JSON.stringify({ n }));
    return tm;
  }

  /** Enqueues (another copy of) a work message: a duplicate publish keeps the messageId. */
  async enqueueCopy(tm: TransportMessage): Promise<TransportMessage> {
    await this.work.enqueue(tm, serializeTransportMessage(tm));
    return tm;
  }

  spawn(fault?: string, threads?: number): Child {
    const env = { ...process.env, CRASH_CONFIG: JSON.stringify({ ...this.config, threads: threads ?? this.config.threads }), FAULT: fault ?? '' };
    const child = spawn(process.execPath, [ENDPOINT], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const ready = new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('ready')) resolve();
      });
      void exited.then(() => reject(new Error('child exited before it was ready')));
    });
    ready.catch(() => undefined);
    const handle: Child = {
      process: child,
      ready,
      exited,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
      },
    };
    this.children.push(handle);
    return handle;
  }

  /** Waits until the work queue is empty (nothing ready, nothing in flight). */
  async workDone(timeoutMs = 30_000): Promise<void> {
    await eventually(async () => (await this.count(this.work)) === 0, 'the work queue is empty', timeoutMs);
  }

  async count(q: IQueue): Promise<number> {
    return (q as unknown as { count(): Promise<number> }).count();
  }

  async businessRows(): Promise<{ message_id: string; pid: number }[]> {
    const table = this.kind === 'postgres' ? `${this.config.schema}.business` : 'business';
    return this.main.database.query<{ message_id: string; pid: number }>(`SELECT message_id, pid FROM ${table}`);
  }

  /** Every follow-up envelope in the follow-ups queue, taken and acknowledged. */
  drainFollowups(): Promise<TransportMessage[]> {
    return drainQueue(this.followups);
  }

  async dispose(): Promise<void> {
    for (const c of this.children) {
      if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill('SIGKILL');
      await c.exited;
    }
    await this.work.close();
    await this.followups.close();
    await disposeTwoDatabases(this.config, this);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * An idempotent receiver of the follow-ups (in this process, on the follow-ups' database): proves that a
 * re-sent follow-up, which keeps its messageId, is dropped. Resolves once the follow-ups queue is empty.
 */
export async function receiveFollowupsIdempotently(world: CrashWorld): Promise<{ handled: TransportMessage[]; skipped: number }> {
  const { Container } = await import('inversify');
  const { addOncebus, createSilentLogger, TYPES } = await import('../../src/index.js');
  const handled: TransportMessage[] = [];
  let skipped = 0;
  @handlesMessage(FollowUp)
  class FollowUpRecorder implements IMessageHandler<FollowUp> {
    handle(ctx: IHandlerContext<FollowUp>): void {
      handled.push(ctx.transportMessage);
    }
  }
  const container = new Container();
  container.bind(TYPES.QueueFactory).toConstantValue(world.out.queues);
  container.bind(TYPES.IdempotenceServiceFactory).toConstantValue(world.out.idempotence());
  container.bind(TYPES.Logger).toConstantValue(createSilentLogger());
  addOncebus(container, {
    inbox: { workQueueUri: 'out://default/followups', errorQueueUri: 'out://default/followups-error', durationToIgnoreOnFailure: ['0ms'], durationToSleepWhenIdle: ['10ms'] },
    handlers: [FollowUpRecorder],
    idempotence: true,
  });
  const bus = container.get<IServiceBus>(TYPES.ServiceBus);
  bus.events.on('messageIgnored', () => skipped++);
  bus.events.on('messageFlushed', () => skipped++);
  await bus.start();
  try {
    await eventually(async () => (await world.count(world.followups)) === 0, 'the follow-ups are all received', 20_000);
  } finally {
    await bus.stop();
  }
  return { handled, skipped };
}
