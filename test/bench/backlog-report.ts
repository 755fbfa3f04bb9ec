// The backlog section of docs/scaling.md (npm run bench:backlog), kept between two markers so the rest of
// the page, written by hand, is left as it is.

export interface BacklogResult {
  readonly transport: string;
  readonly case: string;
  readonly threads: number;
  /** Messages waiting when the consumer started: all of them are consumed. */
  readonly messages: number;
  readonly round: number;
  /** From the first message handled to the last (ms); NaN when the run failed. */
  readonly ms: number;
  /** The consumer process's peak RSS (bytes): a process of its own, started after the fill. */
  readonly rss: number;
  /** The consumer's heap still used after a full collection at its end (bytes): what it holds, garbage aside. */
  readonly heapAfterGc?: number;
  /** Messages per second the fill wrote (the enqueue batcher, or publishes with confirms in windows). */
  readonly enqueuePerSec?: number;
  readonly cpu?: { nodeUs: number; brokerUs?: number; databaseUs?: number; ownDatabaseUs?: number };
  readonly failed?: string;
  /** Set on rows kept from an earlier run (--keep): when that run was. */
  readonly when?: string;
}

export interface BacklogSummary {
  readonly when: string;
  readonly node: string;
  readonly cpus: number;
  readonly rounds: number;
  readonly results: readonly BacklogResult[];
  /** The earlier run's file some transports' rows were kept from (--keep). */
  readonly kept?: string;
}

export const BACKLOG_START = '<!-- backlog:start (npm run bench:backlog writes this section) -->';
export const BACKLOG_END = '<!-- backlog:end -->';

/** The doc with its backlog section replaced by `section` (appended when it has none). */
export function replaceBacklogSection(doc: string, section: string): string {
  const block = `${BACKLOG_START}\n${section.trim()}\n${BACKLOG_END}`;
  const start = doc.indexOf(BACKLOG_START);
  const end = doc.indexOf(BACKLOG_END);
  if (start < 0 || end < start) return `${doc.trimEnd()}\n\n${block}\n`;
  return `${doc.slice(0, start)}${block}${doc.slice(end + BACKLOG_END.length)}`;
}

const rateOf = (r: BacklogResult) => (r.messages / r.ms) * 1000;
const mb = (bytes: number) => Math.round(bytes / 1048576);
const cell = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '—' : String(Math.round(v)));

export function backlogSection(s: BacklogSummary, median: (xs: number[]) => number): string {
  const m = (xs: number[]) => (xs.length === 0 ? Number.NaN : median(xs));
  const ok = s.results.filter((r) => Number.isFinite(r.ms));
  const transports = [...new Set(s.results.map((r) => r.transport))];
  const rows: string[] = [];
  const verdicts: string[] = [];
  for (const t of transports) {
    const ofT = ok.filter((r) => r.transport === t);
    const sizes = [...new Set(ofT.map((r) => r.messages))].sort((a, b) => a - b);
    const smallest = sizes[0]!;
    /** Same-round ratio to the smallest backlog: a noisy minute moves both runs of a round alike. */
    const ratioIn = (r: BacklogResult) => {
      const base = ofT.find((b) => b.round === r.round && b.messages === smallest);
      return base ? rateOf(r) / rateOf(base) : Number.NaN;
    };
    const baseRss = m(ofT.filter((r) => r.messages === smallest).map((r) => r.rss));
    for (const n of sizes) {
      const rs = ofT.filter((r) => r.messages === n);
      const rates = rs.map(rateOf);
      const ratio = m(rs.map(ratioIn).filter((v) => Number.isFinite(v)));
      const rss = m(rs.map((r) => r.rss));
      const us = (f: (c: NonNullable<BacklogResult['cpu']>) => number | undefined) => m(rs.map((r) => (r.cpu ? f(r.cpu) : undefined)).filter((v): v is number => v !== undefined));
      rows.push(
        `| ${t} | ${n.toLocaleString('en')} | ${Math.round(m(rates))} (${Math.round(Math.min(...rates))}–${Math.round(Math.max(...rates))}) | ${Number.isNaN(ratio) ? '—' : `${ratio.toFixed(2)}×`} | ${mb(rss)} | ${cell(m(rs.map((r) => r.heapAfterGc).filter((v): v is number => v !== undefined)) / 1048576)} | ${cell(us((c) => c.nodeUs))} | ${cell(t === 'rabbitmq' ? us((c) => c.brokerUs) : t === 'postgresql' ? us((c) => c.databaseUs) : undefined)} | ${cell(m(rs.map((r) => r.enqueuePerSec).filter((v): v is number => v !== undefined)))} |`,
      );
      if (n === sizes.at(-1) && n !== smallest) {
        const flat = rss <= baseRss * 1.2;
        const heap = (size: number) => cell(m(ofT.filter((r) => r.messages === size).map((r) => r.heapAfterGc).filter((v): v is number => v !== undefined)) / 1048576);
        verdicts.push(
          `${t}: ${ratio.toFixed(2)}× at ${n.toLocaleString('en')} (${ratio >= 0.8 ? 'met' : '**not met**'}), peak RSS ${mb(baseRss)} → ${mb(rss)} MB (${flat ? 'flat' : '**grows**'}; heap after GC ${heap(smallest)} → ${heap(n)} MB)`,
        );
      }
    }
  }
  const failed = s.results.filter((r) => !Number.isFinite(r.ms));
  return `## Cost as the work grows: a backlog of 20k, 200k and 1M messages (issue 30)

Measured by \`npm run bench:backlog\` (\`test/bench/backlog.ts\`) on ${s.when.slice(0, 16).replace('T', ' ')} UTC, Node ${s.node}, ${s.cpus} cores shared
by Node, RabbitMQ and PostgreSQL (and other work on the machine: read the ratios, not the absolute rates);
${s.rounds} round(s), each running every backlog of each transport in turn. Each run fills the queue first, in bulk (the SQL
queues' enqueue batcher, 1000 messages per statement as \`sendMany\` writes them; RabbitMQ: persistent
publishes awaiting confirms every 5000, into the classic queue the endpoint declares by default), then starts
**one consumer process** that drains all of it: the rate runs from its first message handled to its last, the
peak RSS is that process's own (sampled every 20 ms from its start, the fill outside it); "heap after GC" is
its heap still in use after a full collection once it is done — what it holds, where RSS also counts garbage
V8 has not collected yet and heap it keeps for later. Cases as in
\`npm run bench\`: the PostgreSQL and SQLite queues' fast path (\`?batch=100\`, group-commit idempotence, one lane
of up to 64, threadCount 64), RabbitMQ without idempotence (threadCount 4, prefetch 100). CPU per message:
Node is the consumer, the other party RabbitMQ (beam.smp) or every postgres process. Ratios are to the
20k backlog of the same round; medians (min–max) over the rounds.${s.kept ? ` Rows of ${[...new Set(s.results.filter((r) => r.when !== undefined).map((r) => r.transport))].join(', ')} kept from an earlier run (${s.kept.replace(/^.*\//, '')}).` : ''}

| transport | backlog | msg/s (min–max) | × 20k, same round | peak RSS MB | heap after GC MB | Node µs/msg | RabbitMQ / PostgreSQL µs/msg | fill msg/s |
|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Target: ≥ 0.8× the 20k rate at 1M, peak RSS flat (within 20 %) — ${verdicts.join('; ')}.${failed.length > 0 ? `\n\nRuns that failed (left out): ${failed.map((r) => `${r.transport} ${r.messages} round ${r.round}: ${r.failed}`).join('; ')}.` : ''}
`;
}
