// The "HTTP Idempotency-Keys" section of docs/BENCHMARKS.md (issue 28): a keyed Fastify route against the same
// route without a key and a plain Fastify route with no bus, measured in the same run (test/bench/http/).
import { median } from './median.js';

interface Run {
  readonly messages: number;
  readonly ms: number;
  readonly threads: number;
  /** SQL statements the API sent per request, BEGIN and COMMIT included (absent from runs before it was counted). */
  readonly statementsPerRequest?: number;
  /** ownDatabaseUs: the postgres backends serving the API's connections (databaseUs counts every postgres process). */
  readonly cpu?: { readonly nodeUs: number; readonly nodeSystemUs: number; readonly ownDatabaseUs?: number };
}

const CASES = [
  ['http-plain', 'plain Fastify route, no bus: the INSERT on a pg pool'],
  ['http-bus', 'idempotentRoute without a key: the INSERT and one session.send in bus.withTransaction'],
  ['http-keyed', 'the same route with an Idempotency-Key: claim, then the route storing its response'],
] as const;

/** The keyed route's CPU per request may be at most this many times the same route's without a key. */
const TARGET = 1.3;

const rate = (r: Run): number => (r.messages / r.ms) * 1000;
const total = (r: Run): number => (r.cpu?.ownDatabaseUs !== undefined ? r.cpu.nodeUs + r.cpu.ownDatabaseUs : Number.NaN);
const x = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? '—' : `${v.toFixed(2)}×`);

/** The same-round ratios f(a) / f(b) (the cases run once per round, interleaved). */
function ratios(a: readonly Run[] | undefined, b: readonly Run[] | undefined, f: (r: Run) => number): number[] {
  if (!a || !b) return [];
  return a.map((r, i) => (b[i] ? f(r) / f(b[i]!) : Number.NaN)).filter((v) => !Number.isNaN(v));
}

/** Their median. */
function sameRound(a: readonly Run[] | undefined, b: readonly Run[] | undefined, f: (r: Run) => number): number | undefined {
  const rs = ratios(a, b, f);
  return rs.length > 0 ? median(rs) : undefined;
}

/** The section, or '' when no HTTP case ran. `groups`: results by "<case> x<threads>". */
export function httpKeysSection(groups: ReadonlyMap<string, readonly Run[]>): string {
  const of = (name: string) => [...groups.entries()].find(([k]) => k.startsWith(`${name} x`))?.[1];
  if (!CASES.some(([name]) => of(name))) return '';
  const rows = CASES.filter(([name]) => of(name)).map(([name, what]) => {
    const rs = of(name)!;
    const rates = rs.map(rate);
    const m = (f: (c: NonNullable<Run['cpu']>) => number | undefined) => {
      const xs = rs.map((r) => (r.cpu ? f(r.cpu) : undefined)).filter((v): v is number => v !== undefined);
      return xs.length === rs.length ? String(median(xs)) : '—';
    };
    const counted = rs.map((r) => r.statementsPerRequest).filter((v): v is number => v !== undefined);
    const perRequest = counted.length === rs.length ? String(median(counted)) : '—';
    return `| ${name} x${rs[0]!.threads} | ${Math.round(median(rates))} (${Math.round(Math.min(...rates))}–${Math.round(Math.max(...rates))}) | ${m((c) => c.nodeUs)} | ${m((c) => c.nodeSystemUs)} | ${m((c) => c.ownDatabaseUs)} | ${rs.every((r) => r.cpu?.ownDatabaseUs !== undefined) ? median(rs.map(total)) : '—'} | ${perRequest} | ${what} |`;
  });
  const keyed = of('http-keyed');
  const bus = of('http-bus');
  const plain = of('http-plain');
  const cpuRatio = sameRound(keyed, bus, total);
  const verdict = cpuRatio === undefined ? 'not measured' : cpuRatio <= TARGET ? 'met' : '**not met**';
  const rounds = ratios(keyed, bus, total);
  const spread = rounds.length > 1 ? ` (${Math.min(...rounds).toFixed(2)}–${Math.max(...rounds).toFixed(2)} over ${rounds.length} rounds)` : '';
  const statementsOf = (rs: readonly Run[] | undefined) => {
    const xs = (rs ?? []).map((r) => r.statementsPerRequest).filter((v): v is number => v !== undefined);
    return xs.length > 0 && xs.length === rs!.length ? median(xs) : undefined;
  };
  const keyedStatements = statementsOf(keyed);
  const busStatements = statementsOf(bus);
  const statements =
    keyedStatements !== undefined && busStatements !== undefined
      ? ` The keyed route sends ${keyedStatements} SQL statements per request against ${busStatements} (the key's claim in a transaction of its own, and its completion in the route's).`
      : '';
  const requests = (keyed ?? bus ?? plain)![0]!.messages;
  const threads = (keyed ?? bus ?? plain)![0]!.threads;
  return `## HTTP Idempotency-Keys (issue 28)

A Fastify API on PostgreSQL whose POST /orders inserts an order, driven by a load client in a process of its own
(\`test/bench/http/load-client.ts\`: ${threads} requests in flight over keep-alive connections, each a fresh
order; keyed, a fresh Idempotency-Key each). ${requests} requests are measured after a warm-up, from that
response to the last; every response must be a 201, and afterwards every order is checked to be in its table
once (and, for the bus cases, its message sent; keyed, its key completed). CPU per request (µs, medians over the
rounds): the API's Node process, of which system time, and the PostgreSQL backends serving the API's
connections (found by their client ports, read from /proc: not the server's background processes nor other
clients of a shared server); the client's CPU is not counted, though it shares the machine's cores.
"statements" is how many SQL statements the API sent per request, BEGIN and COMMIT included (counted on pg's
client): each is a round trip, and the CPU on both sides follows their number.

| case | requests/s (min–max) | Node µs | of which system | PostgreSQL µs | total µs | statements | what |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Same-round ratios (medians): the keyed route's CPU per request (Node + PostgreSQL) ${x(cpuRatio)} the same
route's without a key${spread} — target ≤ ${TARGET}× (${verdict}); Node alone ${x(sameRound(keyed, bus, (r) => r.cpu?.nodeUs ?? Number.NaN))}, PostgreSQL alone
${x(sameRound(keyed, bus, (r) => r.cpu?.ownDatabaseUs ?? Number.NaN))}; throughput ${x(sameRound(keyed, bus, rate))} the route's without a key. The route without a key
against the plain route (what the bus's transactional session costs): CPU ${x(sameRound(bus, plain, total))}, throughput
${x(sameRound(bus, plain, rate))}; keyed against plain: CPU ${x(sameRound(keyed, plain, total))}, throughput ${x(sameRound(keyed, plain, rate))}.${statements}
`;
}
