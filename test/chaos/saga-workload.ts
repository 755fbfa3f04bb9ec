// The harness's side of the saga workload (--sagas N): the feed (each instance's start and events
// shuffled among its neighbours', so an event often comes before its start, some sent twice under one
// messageId), the progress the restarts wait for, and the audit: every instance completed exactly once,
// with the final state its plan says, and no saga row left.
import { randomUUID } from 'node:crypto';
import { emptyTransportMessage, type TransportMessage } from '../../src/envelope/transport-message.js';
import type { ChaosDatabase } from './chaos-database.js';
import { CHAOS_SAGA, SAGA_AUDIT_TABLE, type SagaPlan, sagaPlan } from './chaos-saga-messages.js';

/** Instances whose messages are shuffled together: an instance's start is anywhere among its neighbours'. */
const WINDOW = 16;

export interface SagaFeed {
  readonly plans: readonly SagaPlan[];
  /** Events enqueued before their instance's start (the not-found policy 'retry' holds them). */
  readonly eventsBeforeStart: number;
}

export interface SagaAudit {
  /** Instances with exactly one audit row. */
  readonly completedOnce: number;
  readonly byTimeout: number;
  readonly byEvents: number;
  /** Instances with no audit row, and with more than one. */
  readonly lost: number;
  readonly duplicated: number;
  /** Instances whose one row says other than their plan (`key: what`), at most a few named. */
  readonly wrong: readonly string[];
  readonly wrongCount: number;
  /** Rows left in the sagas table for this saga type. */
  readonly rowsLeft: number;
  /** Reminders that fired before their instance completed (the others were dropped as late timeouts). */
  readonly remindersFired: number;
  readonly reminders: number;
  /** SagaDue timeouts that came before the first event and were requested again. */
  readonly rearmed: number;
}

export function planSagas(count: number, random: () => number): SagaPlan[] {
  return Array.from({ length: count }, (_, i) => sagaPlan(i, random));
}

function sagaMessage(type: string, body: object, queueUri: string): TransportMessage {
  const tm = emptyTransportMessage();
  tm.messageId = randomUUID();
  tm.messageType = type;
  tm.sendDate = Date.now();
  tm.recipientInboxWorkQueueUri = queueUri;
  tm.message = Buffer.from(JSON.stringify(body));
  return tm;
}

/** An instance's messages: its start, its first event and (unless it ends by its timeout) its second. */
function messagesOf(plan: SagaPlan, queueUri: string): TransportMessage[] {
  const { key } = plan;
  const expectsSecond = plan.outcome === 'events';
  const start = sagaMessage('chaos.SagaStart', { key, expectsSecond, dueAfterMs: plan.dueAfterMs, remindAfterMs: plan.remindAfterMs }, queueUri);
  const first = sagaMessage('chaos.SagaFirst', { key }, queueUri);
  return expectsSecond ? [start, first, sagaMessage('chaos.SagaSecond', { key }, queueUri)] : [start, first];
}

/**
 * Enqueues every instance's messages, WINDOW instances at a time in a random order, about one in twenty
 * twice (a redelivered copy: idempotence must drop it before the saga is loaded).
 */
export async function feedSagas(
  plans: readonly SagaPlan[],
  queueUri: string,
  enqueue: (tm: TransportMessage) => Promise<void>,
  random: () => number,
  sleep: (ms: number) => Promise<unknown>,
): Promise<SagaFeed> {
  let eventsBeforeStart = 0;
  for (let from = 0; from < plans.length; from += WINDOW) {
    const batch = plans.slice(from, from + WINDOW).flatMap((plan) => messagesOf(plan, queueUri));
    for (let i = batch.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [batch[i], batch[j]] = [batch[j]!, batch[i]!];
    }
    const started = new Set<string>();
    for (const tm of batch) {
      const key = (JSON.parse(Buffer.from(tm.message).toString()) as { key: string }).key;
      if (tm.messageType === 'chaos.SagaStart') started.add(key);
      else if (!started.has(key)) eventsBeforeStart++;
      const copies = random() < 0.05 ? 2 : 1;
      for (let c = 0; c < copies; c++) await enqueue(tm);
    }
    await sleep(5); // a stream, not a burst: kills land while instances are in flight
  }
  return { plans, eventsBeforeStart };
}

/** Instances completed so far (distinct keys in the audit table). */
export async function sagasCompleted(db: ChaosDatabase): Promise<number> {
  const [row] = await db.store.database.query<{ n: number }>(`SELECT CAST(count(DISTINCT saga_key) AS integer) AS n FROM ${db.table(SAGA_AUDIT_TABLE)}`);
  return row?.n ?? 0;
}

/** Rows of this run's saga in the sagas table (none once every instance completed). */
export async function sagaRowsLeft(db: ChaosDatabase): Promise<number> {
  const [row] = await db.store.database.query<{ n: number }>(`SELECT CAST(count(*) AS integer) AS n FROM ${db.sagaTable} WHERE saga_type = $1`, [CHAOS_SAGA]);
  return row?.n ?? 0;
}

interface AuditRow {
  saga_key: string;
  outcome: string;
  starts: number;
  firsts: number;
  seconds: number;
  reminders: number;
  rearmed: number;
}

/** Compares every instance's audit rows with its plan. */
export async function auditSagas(db: ChaosDatabase, plans: readonly SagaPlan[]): Promise<SagaAudit> {
  const rows = await db.store.database.query<AuditRow>(
    `SELECT saga_key, outcome, CAST(starts AS integer) AS starts, CAST(firsts AS integer) AS firsts, CAST(seconds AS integer) AS seconds, CAST(reminders AS integer) AS reminders, CAST(rearmed AS integer) AS rearmed FROM ${db.table(SAGA_AUDIT_TABLE)}`,
  );
  const byKey = new Map<string, AuditRow[]>();
  for (const row of rows) byKey.set(row.saga_key, [...(byKey.get(row.saga_key) ?? []), row]);
  let lost = 0;
  let duplicated = 0;
  let completedOnce = 0;
  let byTimeout = 0;
  let byEvents = 0;
  let remindersFired = 0;
  let rearmed = 0;
  const wrong: string[] = [];
  const planned = new Set(plans.map((p) => p.key));
  for (const key of byKey.keys()) if (!planned.has(key)) wrong.push(`${key}: not an instance of the run`);
  for (const plan of plans) {
    const mine = byKey.get(plan.key) ?? [];
    if (mine.length === 0) lost++;
    if (mine.length > 1) duplicated++;
    if (mine.length !== 1) continue;
    completedOnce++;
    const row = mine[0]!;
    if (row.outcome === 'timeout') byTimeout++;
    else byEvents++;
    remindersFired += row.reminders;
    rearmed += row.rearmed;
    // Each message ran once on the instance; the second only where planned; the reminder at most once.
    const seconds = plan.outcome === 'events' ? 1 : 0;
    const ok = row.outcome === plan.outcome && row.starts === 1 && row.firsts === 1 && row.seconds === seconds && row.reminders <= (plan.remindAfterMs > 0 ? 1 : 0);
    if (!ok) wrong.push(`${plan.key}: planned ${plan.outcome}, ended ${row.outcome} after ${row.starts} start(s), ${row.firsts} first, ${row.seconds} second, ${row.reminders} reminder(s)`);
  }
  return {
    completedOnce,
    byTimeout,
    byEvents,
    lost,
    duplicated,
    wrong: wrong.slice(0, 10),
    wrongCount: wrong.length,
    rowsLeft: await sagaRowsLeft(db),
    remindersFired,
    reminders: plans.filter((p) => p.remindAfterMs > 0).length,
    rearmed,
  };
}
