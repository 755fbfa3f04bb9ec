// The saga workload's messages and its plan (--sagas N): instance i is started by SagaStart, advanced by
// SagaFirst and (three in four) SagaSecond, fed in any order; the fourth has no second event and is
// completed by its timeout (SagaDue). Shared by the harness (the feed and the audit) and the workers.
import { messageType } from '../../src/messages/message-type.js';

@messageType('chaos.SagaStart')
export class SagaStart {
  constructor(
    public key = '',
    /** Whether a SagaSecond follows; without one, the instance ends by its timeout. */
    public expectsSecond = true,
    /** The timeout SagaDue, requested at the start (0: none). */
    public dueAfterMs = 0,
    /** A reminder SagaRemind that does not complete the instance (0: none); often due after it completed. */
    public remindAfterMs = 0,
  ) {}
}

@messageType('chaos.SagaFirst')
export class SagaFirst {
  constructor(public key = '') {}
}

@messageType('chaos.SagaSecond')
export class SagaSecond {
  constructor(public key = '') {}
}

/** The timeout that completes an instance without a second event (once its first event was seen). */
@messageType('chaos.SagaDue')
export class SagaDue {
  constructor(public key = '') {}
}

/** A timeout that only counts: one still pending when its instance completes must be dropped quietly. */
@messageType('chaos.SagaRemind')
export class SagaRemind {
  constructor(public key = '') {}
}

/** How an instance must end: the audit row its completing handler writes. */
export type SagaOutcome = 'events' | 'timeout';

export interface SagaPlan {
  readonly key: string;
  readonly outcome: SagaOutcome;
  readonly dueAfterMs: number;
  readonly remindAfterMs: number;
}

/** Instance i's plan: every 4th ends by a timeout of 2–5 s; of the others, every other one has a reminder of 2–5 s too. */
export function sagaPlan(i: number, random: () => number): SagaPlan {
  const timeoutMs = () => 2000 + Math.floor(random() * 3000);
  const byTimeout = i % 4 === 0;
  return { key: `S-${i}`, outcome: byTimeout ? 'timeout' : 'events', dueAfterMs: byTimeout ? timeoutMs() : 0, remindAfterMs: i % 4 === 2 ? timeoutMs() : 0 };
}

/** The saga's name (its saga_type), and the audit table its completing handlers write to. */
export const CHAOS_SAGA = 'ChaosSaga';
export const SAGA_AUDIT_TABLE = 'saga_audit';
/** Its columns: one row per completion (no key: a second completion of an instance must show, not fail). */
export const SAGA_AUDIT_COLUMNS =
  'saga_key text NOT NULL, instance_id text NOT NULL, outcome text NOT NULL, starts integer NOT NULL, firsts integer NOT NULL, seconds integer NOT NULL, reminders integer NOT NULL, rearmed integer NOT NULL';
