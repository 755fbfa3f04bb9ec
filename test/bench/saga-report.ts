// The "Sagas side by side with DBOS Transact" section of docs/BENCHMARKS.md (issue 27): oncebus's saga case
// against the same process as a DBOS durable workflow, and a saga step's CPU against a plain idempotent
// message's (postgres-queue-batch, the same queue and group commit), with the issue's targets.
import { median } from './median.js';

interface Run {
  readonly case: string;
  /** Instances for the saga cases, messages for postgres-queue-batch. */
  readonly messages: number;
  readonly ms: number;
  readonly enqueuePerSec?: number;
  readonly reruns?: number;
  readonly settings?: string;
  readonly cpu?: { readonly nodeUs: number; readonly databaseUs?: number; readonly ownDatabaseUs?: number };
}

/** The cases of this section, which the other tables leave out (their unit is an instance, not a message). */
export const isSagaCase = (name: string): boolean => /^(saga|dbos-saga)$/.test(name);

/** Messages (oncebus) or inputs (DBOS: the workflow's start and two sends) per instance. */
const STEPS = 3;

const rate = (r: Run) => (r.messages / r.ms) * 1000;
/** The database's share: the backends serving the case's own connections (other load on the server left out). */
const dbUs = (r: Run) => r.cpu?.ownDatabaseUs ?? r.cpu?.databaseUs;
const cpuTotal = (r: Run) => (r.cpu ? r.cpu.nodeUs + (dbUs(r) ?? 0) : undefined);
const of = (rs: readonly Run[], f: (r: Run) => number | undefined) => {
  const xs = rs.map(f).filter((v): v is number => v !== undefined);
  return xs.length > 0 ? median(xs) : undefined;
};
const n = (v: number | undefined) => (v === undefined ? '—' : String(Math.round(v)));
const ratio = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'not measured' : `${v.toFixed(2)}×`);
const verdict = (v: number | undefined, ok: (v: number) => boolean) => (v === undefined || !Number.isFinite(v) ? '' : ok(v) ? ' (met)' : ' (**not met**)');

/** Runs by case name ("<case> x<threads>" keys); a case not run reads "not measured". */
export function sagaSection(groups: ReadonlyMap<string, readonly Run[]>): string {
  const find = (name: string) => [...groups.entries()].find(([k]) => k.split(' x')[0] === name);
  const saga = find('saga');
  const dbos = find('dbos-saga');
  const plain = find('postgres-queue-batch');
  if (!saga && !dbos) return '';

  const row = (label: string, found: [string, readonly Run[]] | undefined, settings: (rs: readonly Run[], threads: string) => string) => {
    if (!found) return `| ${label} | not measured | | | | |`;
    const [key, rs] = found;
    const rates = rs.map(rate);
    const node = of(rs, (r) => r.cpu?.nodeUs);
    const db = of(rs, dbUs);
    const total = of(rs, cpuTotal);
    const perStep = total === undefined ? undefined : total / STEPS;
    return `| ${label} | ${n(median(rates))} (${n(Math.min(...rates))}–${n(Math.max(...rates))}) | ${n(node)} / ${n(db)} / ${n(total)} | ${n(perStep)} | ${n(of(rs, (r) => r.enqueuePerSec))} | ${settings(rs, `x${key.split(' x')[1]}`)} |`;
  };

  const sagaStep = saga && of(saga[1], cpuTotal) !== undefined ? of(saga[1], cpuTotal)! / STEPS : undefined;
  const sagaStepNode = saga && of(saga[1], (r) => r.cpu?.nodeUs) !== undefined ? of(saga[1], (r) => r.cpu?.nodeUs)! / STEPS : undefined;
  const plainMessage = plain ? of(plain[1], cpuTotal) : undefined;
  const plainNode = plain ? of(plain[1], (r) => r.cpu?.nodeUs) : undefined;
  const stepRatio = sagaStep !== undefined && plainMessage ? sagaStep / plainMessage : undefined;
  const stepRatioNode = sagaStepNode !== undefined && plainNode ? sagaStepNode / plainNode : undefined;
  const speed = saga && dbos ? median(saga[1].map(rate)) / median(dbos[1].map(rate)) : undefined;
  // Round by round (each case runs once per round, in order), which noise shared by both cases cancels in.
  const paired = (a: readonly Run[] | undefined, b: readonly Run[] | undefined, f: (x: Run, y: Run) => number | undefined) => {
    const xs = (a ?? []).map((x, i) => (b?.[i] ? f(x, b[i]!) : undefined)).filter((v): v is number => v !== undefined && Number.isFinite(v));
    return xs.length > 0 ? median(xs) : undefined;
  };
  const speedPaired = paired(saga?.[1], dbos?.[1], (x, y) => rate(x) / rate(y));
  const stepPaired = paired(saga?.[1], plain?.[1], (x, y) => (cpuTotal(x) !== undefined && cpuTotal(y) ? cpuTotal(x)! / STEPS / cpuTotal(y)! : undefined));
  const cpuVsDbos = paired(dbos?.[1], saga?.[1], (x, y) => (cpuTotal(x) !== undefined && cpuTotal(y) ? cpuTotal(x)! / cpuTotal(y)! : undefined));
  const reruns = saga ? of(saga[1], (r) => r.reruns) : undefined;

  return `## Sagas side by side with DBOS Transact (issue 27)

The same three-step process in both rows: an order placed starts an instance, a payment and a stock
reservation follow, the second of them completes it (3 inputs per instance, ~200-byte bodies), N instances with
every input stored first, then processed; instances/s is steady state (first input handled to last instance
completed) as the median (min–max) over the rounds; CPU per instance by party (µs, medians, Node / PostgreSQL /
total, read from /proc over the same window; PostgreSQL here is the backends serving the case's own
connections, so other work on the server — and its background writers — is left out); "per step" is the total ÷ 3. Fill is inputs stored per second
before the clock. **oncebus saga** — \`defineSaga\` (oncebus/sagas) with SagaModule: each message loads its
instance (SELECT … FOR UPDATE), runs the handler and saves the instance (insert, update, or delete on
completion) in the message's unit of work, with the idempotence record; the queue and store settings of
postgres-queue-batch. **DBOS Transact** — \`@dbos-inc/dbos-sdk\` 5.x, the process as a durable workflow the way its
docs show a workflow waiting for events: started with the order, \`DBOS.recv('payment')\`, \`DBOS.recv('stock')\`,
return; the workflows enqueued on a DBOS queue not yet registered and their messages sent (\`DBOSClient.enqueue\`,
\`send\`), then the queue registered; its system database a database of its own on the same server.
**plain idempotent message** — postgres-queue-batch of the tables above (a no-op handler, idempotence with group
commit), for the per-message CPU a saga step is compared with.

| system | instances/s (min–max) | CPU µs/instance Node / PostgreSQL / total | CPU µs per step | fill inputs/s | settings |
|---|---|---|---|---|---|
${row('oncebus saga (PostgreSQL queue ?batch=100, group commit)', saga, (rs, threads) => `${threads} (threadCount), batches of 100 rows, idempotence group commit (1 lane, ≤ 64), pool 20; filled 1000 enqueues together; ${n(of(rs, (r) => r.reruns))} handler re-runs (version conflicts) per run`)}
${row('DBOS Transact 5 (durable workflow, send/recv)', dbos, (rs, threads) => rs[0]?.settings ?? threads)}
| plain idempotent message (postgres-queue-batch) | ${plain ? `${n(median(plain[1].map(rate)))} msg/s` : 'not measured'} | — | ${plain ? `${n(plainMessage)} per message (Node ${n(plainNode)})` : '—'} | — | the same queue and group commit, no saga |

Ratios and targets, this run (medians):
- saga step CPU ÷ plain idempotent message CPU (Node + PostgreSQL) ≤ 1.5: ${ratio(stepRatio)}${verdict(stepRatio, (v) => v <= 1.5)}, same round ${ratio(stepPaired)}${verdict(stepPaired, (v) => v <= 1.5)}; Node alone ${ratio(stepRatioNode)}.
- oncebus saga instances/s ÷ DBOS Transact instances/s ≥ 1.0: ${ratio(speed)}${verdict(speed, (v) => v >= 1)}, same round ${ratio(speedPaired)}${verdict(speedPaired, (v) => v >= 1)}.
- DBOS Transact's CPU per instance ÷ oncebus saga's (Node + PostgreSQL), same round: ${ratio(cpuVsDbos)}.
${reruns !== undefined ? `- Handler re-runs in the saga case (a version conflict rolls the message back and runs it again): ${n(reruns)} per run (median).\n` : ''}
Where a saga step's cost comes from (statements counted by wrapping pg's \`Client.query\` in a run of each):
under group commit a plain message adds no statement of its own — the idempotence claims and the queue's
deletes are one statement per batch — while a saga message runs four on the lane's one connection, one round
trip each and one after the other: SAVEPOINT (the member's), SELECT … FOR UPDATE, the INSERT, UPDATE or DELETE,
RELEASE SAVEPOINT; a starting message six (its SELECT finds nothing, so an advisory lock on the correlation
value makes a racing starter wait, then the SELECT again before the INSERT): 14 per instance. In the CPU
profile of the saga case the Node side's largest share is writing those statements to the socket (a write
system call each). Loading and saving a batch's instances together (one SELECT … FOR UPDATE for the batch's
correlation values, one statement per kind of write) is the direction that would bring a step nearer a plain
message — not built nor measured here. DBOS Transact runs about 38 statements per instance here (recv: a read
of its recorded result, the workflow's status, its ownership, the message, then the update and the recorded
output in a transaction; the workflow's status and output at the end), one transaction each.
`;
}
