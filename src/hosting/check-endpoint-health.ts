import type { BusStatus } from '../index.js';
import { hasHealthCheck, type IHealthCheck } from '../health/health-check.js';
import { maskSecrets } from '../secrets/mask-secrets.js';
import type { HealthCheckEntry } from './health-report.js';

/** A dependency the host asks (a queue factory, the idempotence store), named for the report. */
export interface NamedDependency {
  readonly name: string;
  readonly check: IHealthCheck;
}

/** The dependencies among `candidates` that can tell their health (IHealthCheck), each once. */
export function healthCheckedDependencies(candidates: readonly { name: string; value: unknown }[]): NamedDependency[] {
  const seen = new Set<unknown>();
  const found: NamedDependency[] = [];
  for (const { name, value } of candidates) {
    if (seen.has(value) || !hasHealthCheck(value)) continue;
    seen.add(value);
    found.push({ name, check: value });
  }
  return found;
}

/** The bus's own part: started and not stopping (`stopping` is the host's word: a signal came). */
export function busCheck(status: BusStatus, stopping: boolean): HealthCheckEntry {
  const phase = stopping && status.phase === 'started' ? 'stopping' : status.phase;
  return { name: 'bus', endpoint: status.endpoint, healthy: phase === 'started', detail: phase };
}

/**
 * The receive loops: each still running, and each finished a turn within `stallAfterMs`. Only judged while
 * the bus is started (before, there are none; while stopping, they end on purpose).
 */
export function receiveLoopsCheck(status: BusStatus, now: number): HealthCheckEntry {
  const entry = (healthy: boolean, detail: string): HealthCheckEntry => ({ name: 'receive-loops', endpoint: status.endpoint, healthy, detail });
  if (status.phase !== 'started') return entry(true, `not judged while ${status.phase}`);
  const problems: string[] = [];
  for (const loop of status.receiveLoops) {
    if (!loop.running) problems.push(`${loop.name} ended`);
    else if (now - loop.lastTurnAt > status.stallAfterMs) problems.push(`${loop.name} stalled for ${Math.round((now - loop.lastTurnAt) / 1000)} s`);
  }
  if (problems.length > 0) return entry(false, problems.join('; '));
  return entry(true, `${status.receiveLoops.length} running`);
}

/** Asks one dependency, giving it `timeoutMs`: no answer, or a throw, is unhealthy, said why (masked). */
export async function dependencyCheck(dependency: NamedDependency, timeoutMs: number): Promise<HealthCheckEntry> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<HealthCheckEntry>((resolve) => {
    timer = setTimeout(() => {
      abort.abort();
      resolve({ name: dependency.name, healthy: false, detail: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);
  });
  const answer = dependency.check.checkHealth(abort.signal).then(
    (r): HealthCheckEntry => ({ name: dependency.name, healthy: r.healthy, detail: maskSecrets(r.detail) }),
    (error: unknown): HealthCheckEntry => ({ name: dependency.name, healthy: false, detail: maskSecrets(error instanceof Error ? error.message : String(error)) }),
  );
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
