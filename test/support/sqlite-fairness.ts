// Two endpoint processes on one SQLite file (issue 30): A's handlers include some that hang past
// handlerTimeout, on every attempt, plus normal traffic; B has normal traffic and times a plain write every
// 20 ms. Measures how long B waits to commit a write and both processes' throughput while A hangs. Used by
// the integration test (sqlite-fairness-across-processes) and npm run bench:sqlite-fairness.
import 'reflect-metadata';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emptyTransportMessage } from '../../src/envelope/transport-message.js';
import { serializeTransportMessage } from '../../src/envelope/wire-format.js';
import { SqliteStore } from '../../src/stores/sqlite/index.js';
import { isCreateQueue } from '../../src/transport/queue.js';
import type { FairnessChildConfig, FairnessReport } from './sqlite-fairness-messages.js';

const CHILD = fileURLToPath(new URL('./sqlite-fairness-child.js', import.meta.url));

export interface FairnessScenario {
  /** A's idempotence uses group commit (B's does too). */
  readonly groupCommit: boolean;
  readonly handlerTimeoutMs: number;
  /** A's messages whose handler hangs (each for `hangMs`, on every attempt). */
  readonly hung: number;
  readonly hangMs: number;
  /** Normal messages for A and for B. */
  readonly normalA: number;
  readonly normalB: number;
  readonly threads: number;
  /** How long B may take to handle its messages before the run ends anyway. */
  readonly deadlineMs: number;
}

export interface FairnessResult {
  /** B handled every message before the deadline. */
  readonly bFinished: boolean;
  readonly bHandled: number;
  /** B's waits to commit a probe write (ms). */
  readonly bWriteWaitMaxMs: number;
  readonly bWriteWaitP99Ms: number;
  readonly bWriteWaitP50Ms: number;
  readonly bProbes: number;
  /** B's longest time without handling a message, from its endpoint's start to its last (ms). */
  readonly bLongestStallMs: number;
  /** How long B's endpoint took to start (spawned to started: its tables and queues checked) (ms). */
  readonly bStartMs: number;
  /** Handlers of A that hung in the window: turns A took on the write lock with one. */
  readonly aHungInWindow: number;
  /** Messages per second over the window from B's start to its end (A: its normal messages). */
  readonly aRate: number;
  readonly bRate: number;
  readonly windowMs: number;
  /** CPU µs per handled normal message, per process. */
  readonly aCpuUsPerMessage: number;
  readonly bCpuUsPerMessage: number;
}

interface Spawned {
  readonly child: ChildProcess;
  /** Resolves when the child prints `line`. */
  saw(line: string, timeoutMs: number): Promise<boolean>;
  /** SIGTERM; resolves to the child's report. */
  stop(): Promise<FairnessReport | null>;
}

function spawnChild(config: FairnessChildConfig): Spawned {
  const child = spawn(process.execPath, [CHILD], { env: { ...process.env, FAIRNESS_CONFIG: JSON.stringify(config) }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    for (const l of listeners) l();
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const saw = (line: string, timeoutMs: number) =>
    new Promise<boolean>((resolve) => {
      const check = () => {
        if (!out.split('\n').includes(line)) return;
        finish(true);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      const finish = (value: boolean) => {
        clearTimeout(timer);
        listeners.delete(check);
        resolve(value);
      };
      listeners.add(check);
      void exited.then(() => finish(out.split('\n').includes(line)));
      check();
    });
  return {
    child,
    saw,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
      const line = out.split('\n').find((l) => l.startsWith('{'));
      return line ? (JSON.parse(line) as FairnessReport) : null;
    },
  };
}

const percentile = (sorted: readonly number[], p: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!);

export async function runFairnessScenario(s: FairnessScenario): Promise<FairnessResult> {
  const dir = mkdtempSync(join(tmpdir(), 'oncebus-fairness-'));
  const file = join(dir, 'shared.db');
  const tag = randomUUID().slice(0, 8);
  const [queueA, queueB] = [`a${tag}`, `b${tag}`];
  const children: Spawned[] = [];
  const store = new SqliteStore({ file, synchronous: 'NORMAL' });
  try {
    await store.store.ready();
    await store.database.execute('CREATE TABLE fairness_rows (role text NOT NULL, n integer NOT NULL)');
    await store.database.execute('CREATE TABLE fairness_probe (role text NOT NULL, at integer NOT NULL)');
    const enqueue = async (queue: string, n: number, hangMs: number) => {
      const q = store.queues.create(`sqlite://default/${queue}`);
      const tm = emptyTransportMessage();
      tm.messageId = randomUUID();
      tm.messageType = 'fairness.Work';
      tm.recipientInboxWorkQueueUri = `sqlite://default/${queue}`;
      tm.sendDate = Date.now();
      tm.message = Buffer.from(JSON.stringify({ n, hangMs }));
      await q.enqueue(tm, serializeTransportMessage(tm));
    };
    for (const name of [queueA, `${queueA}-error`, queueB, `${queueB}-error`]) {
      const q = store.queues.create(`sqlite://default/${name}`);
      if (isCreateQueue(q)) await q.create();
    }
    // The hung ones first, so A is hanging while B runs; A's normal traffic after them.
    for (let n = 0; n < s.hung; n++) await enqueue(queueA, n, s.hangMs);
    for (let n = 0; n < s.normalA; n++) await enqueue(queueA, s.hung + n, 0);
    for (let n = 0; n < s.normalB; n++) await enqueue(queueB, n, 0);

    const common = { file, threads: s.threads, groupCommit: s.groupCommit, handlerTimeoutMs: s.handlerTimeoutMs };
    const a = spawnChild({ ...common, role: 'a', queue: queueA });
    children.push(a);
    if (!(await a.saw('hanging', 30_000))) throw new Error('process A never started hanging');
    const started = Date.now();
    const b = spawnChild({ ...common, role: 'b', queue: queueB, probe: true });
    children.push(b);
    const bStarted = await b.saw('ready', s.deadlineMs);
    const until = started + s.deadlineMs;
    // B's rows, read without the write lock (WAL readers never wait).
    let bFinished = false;
    while (bStarted && Date.now() < until) {
      const [row] = await store.database.query<{ c: number }>(`SELECT count(*) AS c FROM fairness_rows WHERE role = 'b'`);
      if (row!.c >= s.normalB) {
        bFinished = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const windowMs = Date.now() - started;
    const [reportB, reportA] = [await b.stop(), await a.stop()];
    const bHandled = reportB?.handledAt.length ?? 0;
    const aInWindow = reportA?.handledAt.filter((t) => t >= started && t <= started + windowMs).length ?? 0;
    const waits = [...(reportB?.probeWaits ?? [])].sort((x, y) => x - y);
    const times = [reportB?.readyAt ?? started, ...(reportB?.handledAt ?? [])].sort((x, y) => x - y);
    const stalls = times.slice(1).map((t, i) => t - times[i]!);
    return {
      bFinished,
      bHandled,
      bWriteWaitMaxMs: Math.round(waits.at(-1) ?? 0),
      bWriteWaitP99Ms: Math.round(percentile(waits, 0.99)),
      bWriteWaitP50Ms: Math.round(percentile(waits, 0.5)),
      bProbes: waits.length,
      bStartMs: (reportB?.readyAt ?? until) - started,
      aHungInWindow: reportA?.hungAt.filter((t) => t >= started && t <= started + windowMs).length ?? 0,
      bLongestStallMs: Math.max(0, ...stalls, bFinished ? 0 : until - (times.at(-1) ?? started)),
      aRate: Math.round((aInWindow / windowMs) * 1000),
      bRate: Math.round((bHandled / windowMs) * 1000),
      windowMs,
      aCpuUsPerMessage: Math.round((reportA?.cpuUs ?? 0) / Math.max(1, reportA?.handledAt.length ?? 0)),
      bCpuUsPerMessage: Math.round((reportB?.cpuUs ?? 0) / Math.max(1, bHandled)),
    };
  } finally {
    for (const c of children) await c.stop();
    await store.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
