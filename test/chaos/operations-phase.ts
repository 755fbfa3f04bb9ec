// The crash harness's operations phase: the poison messages wait in the work endpoint's error queue; the
// operator ingests them (`npx oncebus errors ingest --watch`) while that process is SIGKILLed at random
// moments and restarted, repairs the handler (the run's `repaired` table), and returns them (`errors return
// --all`), that process SIGKILLed at random too. The harness then expects each returned message's effect,
// follow-up and events exactly once; this phase reports what the operations store holds. On queue tables
// (--transport postgres or sqlite) the CLI reaches them with --transport <the run's database>
// (PostgreSQL: --transport-schema <the run's schema>).
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChaosDatabase, OpsRecord } from './chaos-database.js';
import { brokerHosts, type ChaosConfig, chaosQueue, MAXIMUM_FAILURE_COUNT, onQueueTables, opsSchemaOf } from './chaos-messages.js';

const BIN = fileURLToPath(new URL('../../src/operations/cli/bin.js', import.meta.url));
/** The operations code in a process that SIGKILLs itself at a named step (test/support/ops-child.ts). */
const DYING = fileURLToPath(new URL('../support/ops-child.js', import.meta.url));
/** The same steps in the CLI itself, for queue tables in a schema of their own (ops-dying-step.ts). */
const DYING_STEP = new URL('./ops-dying-step.js', import.meta.url).href;

export interface OperationsPhase {
  readonly cfg: ChaosConfig;
  readonly db: ChaosDatabase;
  readonly poison: ReadonlySet<string>;
  /** SIGKILLs of each operations process (the ingestor, the returner), at most. */
  readonly kills: number;
  readonly random: () => number;
  readonly log: (line: string) => void;
  readonly deadline: number;
  /** Rows in the error queue's table, those taken and not acknowledged too; on the broker its ready messages. */
  readonly errorQueueRows: () => Promise<number>;
}

export interface OperationsReport {
  readonly ingestorKills: number;
  readonly returnerKills: number;
  /** Returner kills that left a return stored and not marked (finished by the next returner). */
  readonly returnsCutMidway: number;
  /**
   * Poison messages with one record (the store's key) that is returned, every attempt of theirs counted
   * (timesFailed at least MAXIMUM_FAILURE_COUNT); and records that are not that.
   */
  readonly returnedOnce: number;
  readonly wrongRecords: readonly string[];
  /**
   * Records that merged more than one error-queue copy (timesFailed past MAXIMUM_FAILURE_COUNT): a worker
   * killed between sending a copy (a retry or the error-queue copy) and acknowledging the original fails it
   * again, a second copy with other failure lines — one record still, each failure counted once.
   */
  readonly mergedCopies: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The ops CLI's connection flags: the operations store (beside the run's database) and the broker or the queue tables. */
function opsFlags(p: OperationsPhase): string[] {
  const transport = onQueueTables(p.cfg) ? p.db.opsTransportFlags : ['--transport', brokerOf(p.cfg)];
  return [...p.db.opsStoreFlags, ...transport];
}

function brokerOf(cfg: ChaosConfig): string {
  const broker = new URL(cfg.rabbitUrl);
  return `rabbitmq://${broker.username}:${broker.password}@${brokerHosts(cfg)}`;
}

/** An operations process that dies at the nth step named (see ops-child.ts). */
function dying(p: OperationsPhase, mode: 'ingest' | 'return', kill: 'before-ack' | 'before-dispatch' | 'before-mark') {
  const nth = 1 + Math.floor(p.random() * p.poison.size);
  if (onQueueTables(p.cfg)) {
    // Draining once (no --watch): a process that finds fewer than n steps finishes.
    const command = mode === 'ingest' ? ['ingest', chaosQueue(p.cfg, 'work-error')] : ['return', '--all', '--by', 'chaos', '--resume-after', '0s'];
    return cli(['--import', DYING_STEP, BIN, 'errors', ...command, ...opsFlags(p)], { OPS_DYING: JSON.stringify({ kill, nth }) });
  }
  const config = { mode, kill, nth, opsStore: p.cfg.pgUrl, opsSchema: opsSchemaOf(p.cfg), transport: brokerOf(p.cfg), errorQueue: chaosQueue(p.cfg, 'work-error'), resumeAfterMs: 0 };
  return cli([DYING], { OPS_CHILD: JSON.stringify(config) });
}

function cli(args: string[], env: Record<string, string> = {}): { child: ChildProcess; exited: Promise<NodeJS.Signals | number | null> } {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, ...env } });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  return { child, exited };
}

function records(p: OperationsPhase): Promise<OpsRecord[]> {
  return p.db.opsRecords();
}

/** Ingests the error queue until every poison message has its record and the queue is empty; the ingestor killed up to p.kills times. */
async function ingest(p: OperationsPhase): Promise<number> {
  let kills = 0;
  let tries = 0; // a process meant to die at its nth step finds fewer left and finishes: bounded
  const args = [BIN, 'errors', 'ingest', chaosQueue(p.cfg, 'work-error'), '--watch', ...opsFlags(p)];
  for (;;) {
    if (kills < p.kills && tries++ < 3 * p.kills) {
      // Half of the kills at a random moment, half between a record's commit and its acknowledgement.
      const atStep = p.random() < 0.5;
      const run = atStep ? dying(p, 'ingest', 'before-ack') : cli(args);
      if (!atStep) {
        await sleep(200 + p.random() * 1200);
        run.child.kill('SIGKILL');
      }
      if ((await run.exited) === 'SIGKILL') kills++;
      continue;
    }
    const run = cli(args);
    // Every record, and nothing left in the error queue: a message an ingestor was killed holding (recorded
    // and not acknowledged, say) comes back to this one — at once from the broker or PostgreSQL, when its
    // lease runs out on SQLite — and is acknowledged as recorded already.
    while (((await records(p)).length < p.poison.size || (await p.errorQueueRows()) > 0) && Date.now() < p.deadline) await sleep(300);
    run.child.kill('SIGTERM');
    await run.exited;
    return kills;
  }
}

/** Returns everything until every record is 'returned'; returners killed up to p.kills times (at random, or at a step). */
async function returnAll(p: OperationsPhase): Promise<{ kills: number; midway: number }> {
  let kills = 0;
  let midway = 0;
  let tries = 0;
  // One returner at a time, so a return left 'returning' by a killed one is resumed at once (--resume-after 0s).
  const args = [BIN, 'errors', 'return', '--all', '--by', 'chaos', '--resume-after', '0s', ...opsFlags(p)];
  while (Date.now() < p.deadline) {
    const all = await records(p);
    if (all.length > 0 && all.every((r) => r.status === 'returned')) break;
    if (kills < p.kills && tries++ < 3 * p.kills) {
      // Half of the kills at a random moment, half at the nth return's dispatch or mark.
      const atStep = p.random() < 0.5;
      const run = atStep ? dying(p, 'return', p.random() < 0.5 ? 'before-dispatch' : 'before-mark') : cli(args);
      if (!atStep) {
        await sleep(p.random() * 500); // the CLI takes about 300 ms to start and a few ms a return: before, during and after
        run.child.kill('SIGKILL');
      }
      if ((await run.exited) !== 'SIGKILL') continue;
      kills++;
      // A kill between storing a return and marking it: the next returner must finish it, once.
      if ((await records(p)).some((r) => r.status === 'returning')) midway++;
    } else await cli(args).exited;
  }
  return { kills, midway };
}

export async function operationsPhase(p: OperationsPhase): Promise<OperationsReport> {
  p.log(`chaos: operations: ingesting ${p.poison.size} failed messages, the ingestor killed up to ${p.kills} times`);
  const ingestorKills = await ingest(p);
  // The operator repairs the handler, then returns what failed.
  for (const id of p.poison) await p.db.store.database.execute(`INSERT INTO ${p.db.table('repaired')} (message_id) VALUES ($1)`, [id]);
  p.log('chaos: operations: repaired; returning them, the returner killed at random');
  const returns = await returnAll(p);
  const all = await records(p);
  // Every attempt is a failure line, counted once however many copies carried it: fewer than the retry
  // policy's attempts would be failures lost between copies.
  const good = all.filter((r) => p.poison.has(r.message_id) && r.status === 'returned' && r.times_failed >= MAXIMUM_FAILURE_COUNT);
  const wrongRecords = all.filter((r) => !good.includes(r)).map((r) => `${r.message_id} ${r.status} failed ${r.times_failed}`);
  const mergedCopies = good.filter((r) => r.times_failed > MAXIMUM_FAILURE_COUNT).length;
  return { ingestorKills, returnerKills: returns.kills, returnsCutMidway: returns.midway, returnedOnce: new Set(good.map((r) => r.message_id)).size, wrongRecords, mergedCopies };
}
