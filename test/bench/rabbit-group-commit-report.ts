// Issue 16's RabbitMQ target in docs/BENCHMARKS.md: RabbitMQ + PostgreSQL group commit against raw amqplib,
// by CPU per message (which the broker's mode does not move) and by throughput in rounds where both ran in
// the broker's same mode (which it does).
import { median } from './median.js';

interface Run {
  readonly case: string;
  readonly messages: number;
  readonly ms: number;
  readonly cpu?: { readonly nodeUs: number; readonly brokerUs?: number; readonly databaseUs?: number };
}

const FLOOR = 'raw-amqplib';
const CASE = 'rabbitmq+postgres-gc';
/** A round's broker CPU per message this far above the case's least marks the slow mode (2.5–4× here). */
const SLOW_MODE = 1.8;

const rate = (r: Run) => (r.messages / r.ms) * 1000;
const x = (v: number) => `${v.toFixed(2)}×`;

/** Each run's broker mode: 'slow' when beam.smp spent SLOW_MODE× its fastest round's CPU per message. */
function modes(runs: readonly Run[]): ('fast' | 'slow' | '?')[] {
  const broker = runs.map((r) => r.cpu?.brokerUs);
  const least = Math.min(...broker.filter((b): b is number => b !== undefined && b > 0));
  return broker.map((b) => (b === undefined || !Number.isFinite(least) ? '?' : b > least * SLOW_MODE ? 'slow' : 'fast'));
}

/** The section, from every run of the benchmark in run order (rounds interleave the cases). */
export function rabbitGroupCommitSection(all: readonly Run[]): string {
  const floors = all.filter((r) => r.case === FLOOR);
  const cases = all.filter((r) => r.case === CASE);
  if (floors.length === 0 || cases.length === 0 || floors.length !== cases.length) return `RabbitMQ + PostgreSQL group commit against raw amqplib (issue 16): not measured in this run.`;
  const floorModes = modes(floors);
  const caseModes = modes(cases);
  const rounds = floors.map((floor, i) => {
    const gc = cases[i]!;
    const cpu = floor.cpu && gc.cpu ? (gc.cpu.nodeUs + (gc.cpu.databaseUs ?? 0)) / floor.cpu.nodeUs : Number.NaN;
    return { i, floorMode: floorModes[i]!, caseMode: caseModes[i]!, cpu, throughput: rate(gc) / rate(floor), gc, floor };
  });
  const cpuRatio = median(rounds.map((r) => r.cpu).filter((v) => !Number.isNaN(v)));
  const same = rounds.filter((r) => r.floorMode === r.caseMode && r.floorMode !== '?');
  const sameRatio = same.length > 0 ? median(same.map((r) => r.throughput)) : Number.NaN;
  const lines = rounds.map(
    (r) =>
      `| ${r.i + 1} | ${r.floorMode} | ${r.caseMode} | ${r.floor.cpu?.nodeUs ?? '—'} | ${r.gc.cpu?.nodeUs ?? '—'} + ${r.gc.cpu?.databaseUs ?? '—'} | ${Number.isNaN(r.cpu) ? '—' : x(r.cpu)} | ${x(r.throughput)} |`,
  );
  return `RabbitMQ + PostgreSQL group commit against raw amqplib (issue 16), round by round. The broker's mode is
read from its CPU per message (slow: ${SLOW_MODE}× or more the case's fastest round); the CPU ratio is the oncebus
endpoint's Node + PostgreSQL µs per message over raw amqplib's Node µs per message.

| round | floor's broker mode | oncebus's broker mode | raw amqplib Node µs | oncebus Node + PostgreSQL µs | CPU ratio | throughput ratio |
|---|---|---|---|---|---|---|
${lines.join('\n')}

Targets: CPU per message ≤ 2× raw amqplib's Node CPU — ${x(cpuRatio)} (median of rounds; ${cpuRatio <= 2 ? 'met' : '**not met**'});
throughput ≥ 0.5× raw amqplib in rounds where both ran in the broker's same mode — ${same.length === 0 ? 'no such round in this run' : `${x(sameRatio)} over ${same.length} round(s) (${sameRatio >= 0.5 ? 'met' : '**not met**'})`}.`;
}
