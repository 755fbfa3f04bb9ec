/** One instance the workload drives: what it sends, and when. */
export interface SagaPlan {
  /** The correlation value. */
  readonly key: string;
  /** Labels of the two starters and of the advancing events sent. */
  readonly starters: readonly string[];
  readonly advances: readonly string[];
  /** Whether a Finish is sent (racing the timeout); without one, only the timeout can complete the instance. */
  readonly finish: boolean;
  /** Whether an advancing event requests the timeout again (its round-2 token replaces round 1's). */
  readonly reRequest: boolean;
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
  readonly correlationId: string;
  readonly instanceId: string;
  readonly completed: boolean;
}

/** How the instances completed, for the run's figures. */
export interface SagaOutcome {
  readonly problems: string[];
  readonly byTimeout: number;
  readonly byFinish: number;
}

/**
 * What must hold after every saga run, whatever the seed did:
 * - one instance per correlation value: every committed step of a key names the same instance (racing
 *   starters converge on one), and the sagas table holds one row for it;
 * - no message applied twice to an instance (each label at most once among its committed steps);
 * - each instance completed exactly once, and nothing was applied to it after (a timeout delivered after
 *   completion is dropped; so is any late message);
 * - the state it completed with is the fold of its committed steps, each applied once: the labels in the
 *   final state are exactly the labels of the steps that committed (a lost update drops one; a state saved
 *   outside its unit of work keeps one whose unit of work rolled back, and its retry applies it again);
 * - a timeout's effect at most once, and only from the current token: once a re-request committed, the
 *   round-1 timeout (stale) never runs;
 * - never lost: an instance whose Finish was never sent was completed by its timeout; every instance completed.
 */
export function checkSagas(plans: readonly SagaPlan[], effects: readonly SagaEffect[], rows: readonly SagaRow[] | null): SagaOutcome {
  const problems: string[] = [];
  let byTimeout = 0;
  let byFinish = 0;
  const planned = new Set(plans.map((p) => p.key));
  for (const e of effects) if (!planned.has(e.key)) problems.push(`a step for unknown key ${e.key}`);
  for (const plan of plans) {
    const mine = effects.filter((e) => e.key === plan.key).sort((a, b) => a.seq - b.seq);
    const instances = new Set(mine.map((e) => e.instanceId));
    if (instances.size > 1) problems.push(`${plan.key}: ${instances.size} instances (${[...instances].join(', ')}) for one correlation`);
    const labels = mine.map((e) => e.label);
    const twice = labels.filter((l, i) => labels.indexOf(l) !== i);
    if (twice.length > 0) problems.push(`${plan.key}: applied twice: ${twice.join(', ')}`);
    const completions = mine.filter((e) => e.final !== null);
    if (completions.length === 0) {
      problems.push(`${plan.key}: never completed (steps: ${labels.join(', ') || 'none'})`);
      continue;
    }
    if (completions.length > 1) problems.push(`${plan.key}: completed ${completions.length} times (${completions.map((c) => c.label).join(', ')})`);
    const completion = completions[0]!;
    const after = mine.filter((e) => e.seq > completion.seq);
    if (after.length > 0) problems.push(`${plan.key}: ${after.map((e) => e.label).join(', ')} applied after it completed by ${completion.label}`);
    // The completed state against the committed steps up to the completion (of its instance).
    const folded = mine.filter((e) => e.seq <= completion.seq && e.instanceId === completion.instanceId).map((e) => e.label);
    const final = [...completion.final!];
    if (JSON.stringify([...final].sort()) !== JSON.stringify([...folded].sort())) {
      problems.push(`${plan.key}: completed with state [${final.join(', ')}], but the steps that committed were [${folded.join(', ')}]`);
    }
    const timedOut = completion.label.startsWith('t');
    if (timedOut) byTimeout++;
    else byFinish++;
    if (!plan.finish && !timedOut) problems.push(`${plan.key}: no Finish was sent, yet it completed by ${completion.label}`);
    const timeouts = labels.filter((l) => l.startsWith('t'));
    if (timeouts.length > 1) problems.push(`${plan.key}: ${timeouts.length} timeouts ran (${timeouts.join(', ')})`);
    // The re-request's token replaced round 1's: once it committed, round 1 is stale.
    const reRequested = mine.find((e) => e.label === plan.advances[0] && plan.reRequest);
    const round1 = mine.find((e) => e.label === 't1');
    if (reRequested && round1 && round1.seq > reRequested.seq) problems.push(`${plan.key}: the stale round-1 timeout ran after the re-request replaced it`);
  }
  if (rows) {
    for (const plan of plans) {
      const mine = rows.filter((r) => r.correlationId === plan.key);
      if (mine.length !== 1) problems.push(`${plan.key}: ${mine.length} rows in the sagas table`);
      else if (!mine[0]!.completed) problems.push(`${plan.key}: its row is not marked completed`);
    }
    for (const r of rows) if (!planned.has(r.correlationId)) problems.push(`a row in the sagas table for ${r.correlationId} (instance ${r.instanceId})`);
  }
  return { problems, byTimeout, byFinish };
}
