import type { Completion } from './sim-saga-messages.js';

/** One instance the workload drives: what it sends, and when. */
export interface SagaPlan {
  /** The correlation value. */
  readonly key: string;
  /** Which saga: the one keeping completed instances, or the one removing them. */
  readonly completion: Completion;
  /** Labels of the two starters and of the advancing events sent. */
  readonly starters: readonly string[];
  readonly advances: readonly string[];
  /** Whether a Finish is sent (racing the timeout); without one, only the timeout can complete the instance. */
  readonly finish: boolean;
  /** Whether the first advancing event requests the timeout again (its round-2 token replaces round 1's). */
  readonly reRequest: boolean;
  /** Whether the first advancing event cancels the timeout (only where a Finish is sent). */
  readonly cancel: boolean;
}

/**
 * One committed saga step, written by the saga's handler through the message's own transaction: the
 * message with `label` was applied to the instance `instanceId` of `key`. A completing step carries the
 * state it completed with (`final`: the labels applied, in order). `seq` orders the commits.
 */
export interface SagaEffect {
  readonly seq: number;
  readonly key: string;
  readonly instanceId: string;
  readonly label: string;
  readonly final: readonly string[] | null;
}

/** A row of the sagas table after the run. */
export interface SagaRow {
  readonly sagaType: string;
  readonly correlationId: string;
  readonly instanceId: string;
  readonly completed: boolean;
}

/** How the instances completed, for the run's figures. */
export interface SagaOutcome {
  readonly problems: string[];
  readonly byTimeout: number;
  readonly byFinish: number;
  /** Instances a late starter began after the key's earlier instance completed and was removed. */
  readonly restarts: number;
}

/**
 * What must hold after every saga run, whatever the seed did:
 * - one instance per correlation value at a time: the committed steps of a key name one instance, or —
 *   where completed instances are removed and a starter came late — instances one after another, each
 *   completed before the next one's first step (racing starters converge on one instance);
 *   where completed instances are kept, exactly one (a late starter finds it and is ignored);
 * - no message applied twice (each client message's label at most once among the key's committed steps);
 * - each instance completed exactly once, and nothing was applied to it after (a timeout delivered after
 *   completion is dropped; so is any late message);
 * - the state it completed with is the fold of its committed steps, each applied once: the labels in the
 *   final state are exactly the labels of its steps that committed (a lost update drops one; a state saved
 *   outside its unit of work keeps one whose unit of work rolled back, and its retry applies it again);
 * - a timeout's effect at most once per instance, and only from the current token: once a re-request
 *   committed, the round-1 timeout (stale) never runs; once a cancel committed, no timeout runs;
 * - never lost: an instance whose Finish was never sent was completed by its timeout; every instance completed;
 * - the sagas table: one completed row per key of the saga that keeps them, no row of the one that removes them.
 */
export function checkSagas(plans: readonly SagaPlan[], effects: readonly SagaEffect[], rows: readonly SagaRow[] | null, sagaTypes: Readonly<Record<Completion, string>>): SagaOutcome {
  const problems: string[] = [];
  let byTimeout = 0;
  let byFinish = 0;
  let restarts = 0;
  const planned = new Set(plans.map((p) => p.key));
  for (const e of effects) if (!planned.has(e.key)) problems.push(`a step for unknown key ${e.key}`);
  for (const plan of plans) {
    const mine = effects.filter((e) => e.key === plan.key).sort((a, b) => a.seq - b.seq);
    // The client's messages once per key; a timeout is each instance's own (checked per instance below).
    const labels = mine.map((e) => e.label).filter((l) => !l.startsWith('t'));
    const twice = labels.filter((l, i) => labels.indexOf(l) !== i);
    if (twice.length > 0) problems.push(`${plan.key}: applied twice: ${twice.join(', ')}`);
    const instances = [...new Set(mine.map((e) => e.instanceId))];
    if (instances.length === 0) {
      problems.push(`${plan.key}: never started`);
      continue;
    }
    restarts += instances.length - 1;
    if (plan.completion === 'kept' && instances.length > 1) problems.push(`${plan.key}: ${instances.length} instances (${instances.join(', ')}) for one correlation`);
    let previousEnd = -1;
    for (const [n, instanceId] of instances.entries()) {
      const steps = mine.filter((e) => e.instanceId === instanceId);
      const name = instances.length > 1 ? `${plan.key} (instance ${n + 1})` : plan.key;
      if (steps[0]!.seq < previousEnd) problems.push(`${name}: started before the instance before it completed: two instances at once for one correlation`);
      const completions = steps.filter((e) => e.final !== null);
      if (completions.length === 0) {
        problems.push(`${name}: never completed (steps: ${steps.map((e) => e.label).join(', ')})`);
        previousEnd = Number.POSITIVE_INFINITY;
        continue;
      }
      if (completions.length > 1) problems.push(`${name}: completed ${completions.length} times (${completions.map((c) => c.label).join(', ')})`);
      const completion = completions[0]!;
      previousEnd = completion.seq;
      // Nothing after completion: for a kept instance nothing of the key at all, else nothing of this instance.
      const after = (plan.completion === 'kept' ? mine : steps).filter((e) => e.seq > completion.seq);
      if (after.length > 0) problems.push(`${name}: ${after.map((e) => e.label).join(', ')} applied after it completed by ${completion.label}`);
      // The completed state against the committed steps up to the completion.
      const folded = steps.filter((e) => e.seq <= completion.seq).map((e) => e.label);
      const final = [...completion.final!];
      if (JSON.stringify([...final].sort()) !== JSON.stringify([...folded].sort())) {
        problems.push(`${name}: completed with state [${final.join(', ')}], but its steps that committed were [${folded.join(', ')}]`);
      }
      const timedOut = completion.label.startsWith('t');
      if (timedOut) byTimeout++;
      else byFinish++;
      if (!plan.finish && !timedOut) problems.push(`${name}: no Finish was sent, yet it completed by ${completion.label}`);
      const timeouts = steps.filter((e) => e.label.startsWith('t'));
      if (timeouts.length > 1) problems.push(`${name}: ${timeouts.length} timeouts ran (${timeouts.map((e) => e.label).join(', ')})`);
      // The re-request's token replaced round 1's: once it committed, round 1 is stale.
      const reRequested = plan.reRequest ? steps.find((e) => e.label === plan.advances[0]) : undefined;
      const round1 = steps.find((e) => e.label === 't1');
      if (reRequested && round1 && round1.seq > reRequested.seq) problems.push(`${name}: the stale round-1 timeout ran after the re-request replaced it`);
      // A cancelled timeout never runs once the cancel committed.
      const cancelled = plan.cancel ? steps.find((e) => e.label === plan.advances[0]) : undefined;
      const late = cancelled ? timeouts.find((e) => e.seq > cancelled.seq) : undefined;
      if (late) problems.push(`${name}: the timeout ran (${late.label}) after it was cancelled`);
    }
  }
  if (rows) {
    for (const plan of plans) {
      const mine = rows.filter((r) => r.correlationId === plan.key && r.sagaType === sagaTypes[plan.completion]);
      if (plan.completion === 'removed' && mine.length > 0) problems.push(`${plan.key}: ${mine.length} row(s) left in the sagas table, though its instances completed`);
      if (plan.completion === 'kept' && mine.length !== 1) problems.push(`${plan.key}: ${mine.length} rows in the sagas table`);
      if (plan.completion === 'kept' && mine.length === 1 && !mine[0]!.completed) problems.push(`${plan.key}: its row is not marked completed`);
    }
    for (const r of rows) if (!planned.has(r.correlationId)) problems.push(`a row in the sagas table for ${r.correlationId} (instance ${r.instanceId})`);
  }
  return { problems, byTimeout, byFinish, restarts };
}
