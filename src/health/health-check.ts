/** What one health check found: whether the thing it watches works, and a line saying what it saw. */
export interface HealthCheckResult {
  readonly healthy: boolean;
  /** Shown to operators (probe responses, logs): no secrets — a URL here has its password masked. */
  readonly detail: string;
}

/**
 * An optional capability of a queue factory or an idempotence store: tell whether its connection works now
 * (the broker connected, the database answering). A host's readiness probe asks every bound factory that
 * has it; the bus never does (checking is the host's job, and costs nothing while nobody asks). It should
 * answer within a few seconds, and must stop waiting when `signal` aborts.
 */
export interface IHealthCheck {
  checkHealth(signal: AbortSignal): Promise<HealthCheckResult>;
}

export const hasHealthCheck = (value: unknown): value is IHealthCheck =>
  typeof value === 'object' && value !== null && typeof (value as Partial<IHealthCheck>).checkHealth === 'function';
