// The scale-out section of docs/BENCHMARKS.md (npm run bench:scale), kept between two markers so that
// `npm run bench` (main.ts), which rewrites the rest of the file, carries it over unchanged.

export interface ScaleResult {
  readonly case: string;
  readonly threads: number;
  readonly messages: number;
  readonly ms: number;
  readonly rss: number;
  readonly processes?: number;
  readonly round?: number;
  readonly experiment?: 'curve' | 'empty' | 'retained' | 'purging';
  /** Expired idempotence rows the retention purge deleted while the case ran (the purging runs). */
  readonly purged?: number;
  /** The server's WAL bytes and commits per message over the case's process (other clients' included). */
  readonly walBytesPerMessage?: number;
  readonly commitsPerMessage?: number;
  readonly cpu?: { nodeUs: number; nodeSystemUs: number; brokerUs?: number; databaseUs?: number; ownDatabaseUs?: number };
}

export interface ScaleSummary {
  readonly when: string;
  readonly cpus: number;
  readonly messages: number;
  readonly rounds: number;
  readonly retained: number;
  readonly expired: number;
  readonly fill: { seconds: number; tableMb: number; indexMb: number } | null;
  readonly purges: readonly { round: number; deleted: number; seconds: number }[];
  readonly purgeAlone: { rows: number; seconds: number; ownUsPerRow: number | undefined; serverUsPerRow: number | undefined; vacuumSeconds?: number; vacuumRows?: number } | null;
  readonly results: readonly ScaleResult[];
}

export const SCALE_START = '<!-- scale:start (npm run bench:scale writes this section) -->';
export const SCALE_END = '<!-- scale:end -->';

/** The doc with its scale section replaced by `section` (appended when it has none). */
export function replaceScaleSection(doc: string, section: string): string {
  const block = `${SCALE_START}\n${section.trim()}\n${SCALE_END}`;
  const start = doc.indexOf(SCALE_START);
  const end = doc.indexOf(SCALE_END);
  if (start < 0 || end < start) return `${doc.trimEnd()}\n\n${block}\n`;
  return `${doc.slice(0, start)}${block}${doc.slice(end + SCALE_END.length)}`;
}

/** The scale section of an earlier doc, markers included ('' when it has none): main.ts keeps it. */
export function existingScaleSection(doc: string): string {
  const start = doc.indexOf(SCALE_START);
  const end = doc.indexOf(SCALE_END);
  return start < 0 || end < start ? '' : doc.slice(start, end + SCALE_END.length);
}

const rateOf = (r: ScaleResult) => (r.messages / r.ms) * 1000;
/** Runs that failed (ms NaN) are left out of every figure. */
const measured = (rs: readonly ScaleResult[]) => rs.filter((r) => Number.isFinite(r.ms));

export function scaleSection(s: ScaleSummary, median: (xs: number[]) => number): string {
  const m = (xs: number[]) => (xs.length === 0 ? Number.NaN : median(xs));
  const us = (rs: readonly ScaleResult[], f: (c: NonNullable<ScaleResult['cpu']>) => number | undefined) =>
    m(rs.map((r) => (r.cpu ? f(r.cpu) : undefined)).filter((v): v is number => v !== undefined));
  const cell = (v: number) => (Number.isNaN(v) ? '—' : String(Math.round(v)));
  /** The server's WAL bytes and commits per message over the runs' processes (medians). */
  const server = (rs: readonly ScaleResult[]) =>
    `${cell(m(rs.map((r) => r.walBytesPerMessage).filter((v): v is number => v !== undefined)))} / ${((c) => (Number.isNaN(c) ? '—' : c.toFixed(3)))(m(rs.map((r) => r.commitsPerMessage).filter((v): v is number => v !== undefined)))}`;
  const cores = (rate: number, perMessage: number) => (Number.isNaN(perMessage) ? '—' : ((rate * perMessage) / 1e6).toFixed(2));

  const curve = measured(s.results).filter((r) => r.experiment === 'curve');
  const caseOf = (r: ScaleResult) => `${r.case.replace(/@\d+$/, '')} x${r.threads}`;
  const cases = [...new Set(curve.map(caseOf))];
  const curveRows: string[] = [];
  for (const k of cases) {
    const ofCase = curve.filter((r) => caseOf(r) === k);
    const counts = [...new Set(ofCase.map((r) => r.processes ?? 1))].sort((a, b) => a - b);
    const base = m(ofCase.filter((r) => (r.processes ?? 1) === counts[0]).map(rateOf));
    for (const n of counts) {
      const rs = ofCase.filter((r) => (r.processes ?? 1) === n);
      const rates = rs.map(rateOf);
      const rate = m(rates);
      const node = us(rs, (c) => c.nodeUs);
      const broker = us(rs, (c) => c.brokerUs);
      const pg = us(rs, (c) => c.databaseUs);
      const own = us(rs, (c) => c.ownDatabaseUs);
      const total = node + (Number.isNaN(broker) ? 0 : broker) + (Number.isNaN(pg) ? 0 : pg);
      curveRows.push(
        `| ${k} | ${n} | ${Math.round(rate)} (${Math.round(Math.min(...rates))}–${Math.round(Math.max(...rates))}) | ${(rate / base).toFixed(2)}× | ${cell(node)} | ${cell(us(rs, (c) => c.nodeSystemUs))} | ${cell(broker)} | ${cell(pg)} | ${cell(own)} | ${cell(total)} | ${cores(rate, node)} / ${cores(rate, broker)} / ${cores(rate, pg)} | ${server(rs)} |`,
      );
    }
  }

  const byRound = (e: ScaleResult['experiment']) => measured(s.results).filter((r) => r.experiment === e);
  const empty = byRound('empty');
  const retained = byRound('retained');
  const purging = byRound('purging');
  const ratios = (rs: readonly ScaleResult[]) => rs.map((r) => rateOf(r) / rateOf(empty.find((e) => e.round === r.round)!)).filter((v) => Number.isFinite(v));
  const sameRound = (rs: readonly ScaleResult[]) => m(ratios(rs));
  /** Every round's ratio, as the median of two rounds is the higher one. */
  const roundByRound = (rs: readonly ScaleResult[]) => ratios(rs).map((v) => `${v.toFixed(2)}×`).join(', ');
  const retainedRow = (label: string, rs: readonly ScaleResult[], ratio: string, purged: string) => {
    const rates = rs.map(rateOf);
    return `| ${label} | ${Math.round(m(rates))} (${Math.round(Math.min(...rates))}–${Math.round(Math.max(...rates))}) | ${ratio} | ${cell(us(rs, (c) => c.nodeUs))} | ${cell(us(rs, (c) => c.ownDatabaseUs))} | ${cell(us(rs, (c) => c.databaseUs))} | ${server(rs)} | ${purged} |`;
  };
  const purgeRate = m(s.purges.map((p) => p.deleted / p.seconds));
  const retainedRatio = sameRound(retained);
  const purgingRatio = sameRound(purging);
  const verdict = (v: number) => (Number.isNaN(v) ? 'not measured' : `${v.toFixed(2)}× (${v >= 0.8 ? 'met' : '**not met**'})`);
  const millions = (n: number) => (n >= 1e6 ? `${n / 1e6} million` : String(n));

  return `## Scale-out: worker processes, and the idempotence table at ${millions(s.retained)} rows (issue 29)

Measured by \`npm run bench:scale\` (\`test/bench/scale.ts\`) on ${s.when.slice(0, 16).replace('T', ' ')} UTC on this machine (${s.cpus} cores shared
by Node, RabbitMQ and PostgreSQL, as above): ${s.messages} messages per run, ${s.rounds} round(s), the process counts and
experiments interleaved within each round; medians (min–max) over the rounds.

**Worker processes.** The same endpoint in N processes competing on one queue (each with the threadCount
shown, its own pool: 6 connections for RabbitMQ + group commit, 8 for the PostgreSQL queue). Throughput is from
the first message handled by any process to the last handled by any. CPU per message (µs) by party: Node is
the sum over the worker processes, each from its first message handled; RabbitMQ is beam.smp, PostgreSQL every
postgres process on the machine (other clients of the server included), "own" only the backends serving the
workers' connections. "Cores" is each party's CPU per message × the throughput: what it kept busy of the
${s.cpus} cores (Node / RabbitMQ / PostgreSQL); the parties together cannot pass ${s.cpus}. WAL bytes and commits
per message are the whole server's over the case's process (a PostgreSQL queue's fill included; other
clients' work too, so read them as upper bounds).

| case | processes | msg/s (min–max) | × 1 process | Node µs | of which system | RabbitMQ µs | PostgreSQL µs | own backends µs | total µs | cores Node / RabbitMQ / PostgreSQL | WAL bytes / commits per message |
|---|---|---|---|---|---|---|---|---|---|---|---|
${curveRows.join('\n')}

**The idempotence table at scale.** RabbitMQ + PostgreSQL group commit (${s.results.find((r) => r.experiment === 'empty')?.threads ?? 100} threads, one process) against a
fresh, empty idempotence table; against a table holding ${millions(s.retained)} completed rows of the same inbox (random
UUID message ids, created over the last 7 days as the default retention keeps them; filled with one
\`INSERT … SELECT generate_series\` with the indexes built after${s.fill ? ` — ${s.fill.seconds} s; table ${s.fill.tableMb} MB, its indexes ${s.fill.indexMb} MB` : ''}; a
schema of its own, dropped after); and against that table while the retention purge runs every 100 ms on
${millions(s.expired)} of those rows past their purge time (a pass deletes 500 rows per statement until none is left, so it
purges flat out for the whole run). Ratios are to the empty table of the same round.

| idempotence table | msg/s (min–max) | × empty, same round | Node µs | own backends µs | PostgreSQL µs (all) | WAL bytes / commits per message | rows purged |
|---|---|---|---|---|---|---|---|
${retainedRow('empty', empty, '1.00×', '—')}
${retainedRow(`${millions(s.retained)} rows`, retained, Number.isNaN(retainedRatio) ? '—' : `${retainedRatio.toFixed(2)}×`, '—')}
${retainedRow(`${millions(s.retained)} rows, purging`, purging, Number.isNaN(purgingRatio) ? '—' : `${purgingRatio.toFixed(2)}×`, Number.isNaN(purgeRate) ? '—' : `${Math.round(purgeRate)} rows/s (rows deleted while the endpoint ran ÷ its consumption time, median)`)}

${
  s.purgeAlone
    ? `The purge alone on the full table, nothing else from the bench running: ${s.purgeAlone.rows} expired rows in ${s.purgeAlone.seconds.toFixed(1)} s
(${Math.round(s.purgeAlone.rows / s.purgeAlone.seconds)} rows/s, one connection, 500 rows per statement and commit), ${s.purgeAlone.ownUsPerRow ?? '—'} µs of its backend's CPU per row
(${s.purgeAlone.serverUsPerRow ?? '—'} µs for every postgres process, background writers and other clients included).${
        s.purgeAlone.vacuumSeconds === undefined
          ? ''
          : ` Then \`VACUUM\` of the table (the deletes' deferred cost, which autovacuum pays later): ${s.purgeAlone.vacuumSeconds.toFixed(1)} s for the
${s.purgeAlone.vacuumRows} rows purged in this run — it reads the whole table and every index whatever the number of dead rows.`
      }

`
    : ''
}Target: ≥ 0.8× the empty table's throughput with ${millions(s.retained)} rows retained — ${verdict(retainedRatio)} (round by round ${roundByRound(retained)}); while purging — ${verdict(purgingRatio)} (round by round ${roundByRound(purging)}).
`;
}
