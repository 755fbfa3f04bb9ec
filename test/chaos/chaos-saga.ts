// The chaos workers' saga (--sagas N): counts what advanced each instance and, on completing it, writes the
// instance's final state into the audit table in the message's transaction — so the audit row, the saga
// row's removal and the idempotence record commit together, and a row per instance proves it completed once.
import { defineSaga, type SagaContext } from '../../src/sagas/index.js';
import type { ChaosDatabase } from './chaos-database.js';
import { CHAOS_SAGA, SAGA_AUDIT_TABLE, type SagaOutcome, SagaDue, SagaFirst, SagaRemind, SagaSecond, SagaStart } from './chaos-saga-messages.js';

/** An instance's state: how many times each message ran on it (each must be once; a redelivery runs none). */
export class ChaosSagaData {
  key = '';
  expectsSecond = true;
  starts = 0;
  firsts = 0;
  seconds = 0;
  reminders = 0;
  /** SagaDue fired before the first event arrived: requested again. */
  rearmed = 0;
}

/** Rearming a SagaDue that came before the first event: soon, so the instance still ends by a timeout. */
const REARM_MS = 1000;

export function chaosSaga(db: ChaosDatabase) {
  async function finish(ctx: SagaContext<object, ChaosSagaData>, outcome: SagaOutcome): Promise<void> {
    const d = ctx.saga.data;
    await db.inTransaction(
      ctx.transaction,
      `INSERT INTO ${db.table(SAGA_AUDIT_TABLE)} (saga_key, instance_id, outcome, starts, firsts, seconds, reminders, rearmed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [d.key, ctx.saga.id, outcome, d.starts, d.firsts, d.seconds, d.reminders, d.rearmed],
    );
    ctx.saga.complete();
  }
  const completeOnBoth = (ctx: SagaContext<object, ChaosSagaData>) => {
    const d = ctx.saga.data;
    return d.expectsSecond && d.firsts > 0 && d.seconds > 0 ? finish(ctx, 'events') : Promise.resolve();
  };
  return (
    defineSaga(CHAOS_SAGA, ChaosSagaData)
      .startedBy(
        SagaStart,
        (m) => m.key,
        async (ctx) => {
          const d = ctx.saga.data;
          const m = ctx.message;
          d.key = m.key;
          d.expectsSecond = m.expectsSecond;
          d.starts++;
          if (m.dueAfterMs > 0) await ctx.saga.requestTimeout(new SagaDue(m.key), { after: m.dueAfterMs });
          if (m.remindAfterMs > 0) await ctx.saga.requestTimeout(new SagaRemind(m.key), { after: m.remindAfterMs });
        },
      )
      .handles(
        SagaFirst,
        (m) => m.key,
        async (ctx) => {
          ctx.saga.data.firsts++;
          await completeOnBoth(ctx);
        },
      )
      .handles(
        SagaSecond,
        (m) => m.key,
        async (ctx) => {
          ctx.saga.data.seconds++;
          await completeOnBoth(ctx);
        },
      )
      .timeout(SagaDue, async (ctx) => {
        const d = ctx.saga.data;
        if (d.firsts > 0) return finish(ctx, 'timeout');
        // Its first event is still on the way (retried until the start ran, or held by a killed worker):
        // wait for it, so the instance's end is the same however the race went.
        d.rearmed++;
        await ctx.saga.requestTimeout(new SagaDue(d.key), { after: REARM_MS });
      })
      .timeout(SagaRemind, async (ctx) => {
        ctx.saga.data.reminders++;
      })
      // An event before its start: kept (retried) until the start has run.
      .whenNotFound(() => 'retry')
      .build()
  );
}
