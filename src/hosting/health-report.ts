/** One thing a host checked, as a probe or a framework sees it. */
export interface HealthCheckEntry {
  /** `bus`, `receive-loops`, `transport:<scheme>` (per queue factory that can tell), `store`. */
  readonly name: string;
  /** Whose: the endpoint's name, on its `bus` and `receive-loops` checks (the others serve every endpoint). */
  readonly endpoint?: string;
  readonly healthy: boolean;
  /** What it saw, secrets masked. */
  readonly detail: string;
}

/**
 * An endpoint's health now. `live`: the process is not stuck (no receive loop has died or stalled while
 * the bus runs) — restarting it would not help otherwise. `ready`: it does its work — the bus started and
 * not stopping, its broker connected, its store answering, its receive loops running.
 */
export interface HealthReport {
  readonly live: boolean;
  readonly ready: boolean;
  readonly checks: readonly HealthCheckEntry[];
}
