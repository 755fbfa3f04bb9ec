import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { constants } from 'node:os';
import type { Container } from 'inversify';
import { ConfigurationError, type IServiceBus, OncebusError, TYPES } from '../index.js';
import { maskSecrets } from '../secrets/mask-secrets.js';
import { busCheck, dependencyCheck, healthCheckedDependencies, receiveLoopsCheck } from './check-endpoint-health.js';
import type { HealthCheckEntry, HealthReport } from './health-report.js';
import { type HostProcess, nodeProcess } from './host-process.js';
import { closeProbeServer, type ProbeServerOptions, startProbeServer } from './probe-server.js';

export interface RunEndpointOptions {
  /** Serve `/healthz` and `/readyz` over HTTP (node:http), on 127.0.0.1 unless `host` says otherwise. Off by default. */
  readonly http?: ProbeServerOptions;
  /** The signals that stop the endpoint (default SIGTERM and SIGINT). A second one forces the exit. */
  readonly signals?: readonly NodeJS.Signals[];
  /** How long one dependency's health check may take before it counts as unhealthy (ms, default 2000). */
  readonly probeTimeoutMs?: number;
  /**
   * Runs before the bus starts (create your tables, warm a cache). A failure is a failed start: printed,
   * exit 1.
   */
  readonly beforeStart?: () => void | Promise<void>;
  /** Runs once the bus has started (open what feeds it: a web server). A failure stops the bus and exits 1. */
  readonly afterStart?: () => void | Promise<void>;
  /**
   * Runs when a stop begins, after readiness turned false and before the bus stops: close what feeds the
   * bus (a web server that sends), so nothing sends on a stopping bus.
   */
  readonly beforeStop?: () => void | Promise<void>;
  /**
   * Runs after the bus stopped (or failed to start or stop), before the exit: close what it ran on — the
   * store's pool, the broker's connections (the bus leaves the factories to whoever bound them).
   */
  readonly afterStop?: () => void | Promise<void>;
  /** The process to run in (tests inject one: signals they raise, exits they record). */
  readonly process?: HostProcess;
  /** Epoch ms (tests). */
  readonly clock?: () => number;
}

/** A running endpoint under its host. */
export interface EndpointHost {
  /** The endpoint's bus (the first one's, when the host runs several). */
  readonly bus: IServiceBus;
  /** Every bus the host runs, in start order. */
  readonly buses: readonly IServiceBus[];
  /** Where the probe server listens (with `http`); null without one. */
  readonly probeAddress: AddressInfo | null;
  /** Liveness and readiness with every check; asks the broker's and store's health (bounded by probeTimeoutMs). */
  health(): Promise<HealthReport>;
  /** Liveness alone, without asking any dependency (what `/healthz` answers). */
  liveness(): HealthReport;
  /**
   * Stops gracefully (readiness turns false at once, then `beforeStop`, `bus.stop()` within the endpoint's
   * stopTimeout, `afterStop`), removes the signal handlers and closes the probe server. Resolves to the
   * exit code a signal would exit with: 0, or 1 when the stop failed. Does not exit by itself.
   */
  stop(): Promise<number>;
}

/**
 * Runs an endpoint as a process: starts the probe server (when `http` is given), runs `beforeStart`,
 * starts the bus, runs `afterStart`; on the first SIGTERM or SIGINT stops it gracefully and exits 0 (1 if
 * the stop failed); a second signal exits at once (128 + the signal's number). When the start fails,
 * prints the error (typed, secrets masked) and exits 1; the returned promise then rejects with that error
 * (seen only where `exit` returns, in tests).
 *
 * One container is one endpoint. A process that runs several (a demo, a web endpoint beside its worker)
 * passes their containers in the order to start them; they stop in reverse, and readiness needs them all.
 */
export async function runEndpoint(endpoints: Container | readonly Container[], options: RunEndpointOptions = {}): Promise<EndpointHost> {
  const containers = isContainerList(endpoints) ? endpoints : [endpoints];
  if (containers.length === 0) throw new ConfigurationError('runEndpoint', 'was given no container', { hint: 'pass the container you configured with addOncebus' });
  const proc = options.process ?? nodeProcess;
  const probeTimeoutMs = options.probeTimeoutMs ?? 2000;
  if (!Number.isInteger(probeTimeoutMs) || probeTimeoutMs < 1) {
    throw new ConfigurationError('probeTimeoutMs', `must be a positive integer of milliseconds (got ${String(probeTimeoutMs)})`);
  }
  const clock = options.clock ?? Date.now;
  const buses = containers.map((c) => c.get<IServiceBus>(TYPES.ServiceBus));
  const dependencies = healthCheckedDependencies(containers.flatMap(candidatesOf));
  const what = buses.length === 1 ? 'the endpoint' : `${buses.length} endpoints`;
  let stopping = false;
  let server: Server | null = null;
  let probeAddress: AddressInfo | null = null;

  /** The buses' own checks: no I/O. */
  const local = (): HealthCheckEntry[] =>
    buses.flatMap((b) => {
      const status = b.status();
      return [busCheck(status, stopping), receiveLoopsCheck(status, clock())];
    });
  const isLive = (checks: readonly HealthCheckEntry[]) => checks.every((c) => c.name !== 'receive-loops' || c.healthy);
  const liveness = (): HealthReport => {
    const checks = local();
    return { live: isLive(checks), ready: false, checks };
  };
  // Callers at the same time share one round of dependency checks: a flood of probes is one SELECT 1.
  let asking: Promise<HealthCheckEntry[]> | undefined;
  const askDependencies = (): Promise<HealthCheckEntry[]> => {
    asking ??= Promise.all(dependencies.map((d) => dependencyCheck(d, probeTimeoutMs))).finally(() => (asking = undefined));
    return asking;
  };
  const health = async (): Promise<HealthReport> => {
    const remote = await askDependencies();
    // Read after the dependencies answered: a stop may have begun meanwhile.
    const checks = [...local(), ...remote];
    return { live: isLive(checks), ready: checks.every((c) => c.healthy), checks };
  };

  let stopped: Promise<number> | undefined;
  /** The start sequence; a stop asked for during it (a SIGTERM while a broker is slow) waits for it. */
  let starting: Promise<unknown> = Promise.resolve();
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const onSignal = (signal: NodeJS.Signals) => () => {
    if (stopped !== undefined) {
      proc.error(`${signal} again: exiting without waiting for the stop`);
      proc.exit(128 + (constants.signals[signal] ?? 0));
      return;
    }
    proc.info(`${signal}: stopping ${what}`);
    void stop().then((code) => proc.exit(code));
  };
  const listeners = signals.map((s) => [s, onSignal(s)] as const);
  const detach = async () => {
    for (const [s, l] of listeners) proc.off(s, l);
    if (server) await closeProbeServer(server);
  };

  // Once, whichever of a stop and a failed start gets there first (a signal can come while a start fails).
  let afterStopRun: Promise<void> | null = null;
  const afterStop = (): Promise<void> => (afterStopRun ??= Promise.resolve().then(options.afterStop));

  const stop = (): Promise<number> => {
    stopped ??= (async () => {
      stopping = true;
      await starting.catch(() => undefined);
      let code = 0;
      try {
        await options.beforeStop?.();
        for (const bus of [...buses].reverse()) await bus.stop();
      } catch (error) {
        proc.error(`${what} did not stop cleanly: ${describeError(error)}`);
        code = 1;
      }
      try {
        await afterStop();
      } catch (error) {
        proc.error(`afterStop failed: ${describeError(error)}`);
        code = 1;
      }
      if (code === 0) proc.info(buses.length === 1 ? 'endpoint stopped' : 'endpoints stopped');
      // The signal handlers stay until here: a second signal during the stop forces the exit.
      await detach();
      return code;
    })();
    return stopped;
  };

  const failStart = async (error: unknown): Promise<never> => {
    proc.error(`${what} could not start: ${describeError(error)}`);
    // Whatever did start stops (a bus whose own start failed has undone it); then afterStop and the exit.
    stopping = true;
    for (const bus of [...buses].reverse()) await bus.stop().catch(() => undefined);
    await afterStop().catch(() => undefined);
    await detach();
    proc.exit(1);
    throw error;
  };

  starting = (async () => {
    try {
      for (const [s, l] of listeners) proc.on(s, l);
      if (options.http) {
        // First, so a liveness probe answers while a slow start (a broker far away) is under way.
        ({ server, address: probeAddress } = await startProbeServer(options.http, { liveness, health }));
      }
      await options.beforeStart?.();
      for (const bus of buses) await bus.start();
      await options.afterStart?.();
    } catch (error) {
      await failStart(error);
    }
  })();
  await starting;
  return { bus: buses[0]!, buses, probeAddress, health, liveness, stop };
}

const isContainerList = (value: Container | readonly Container[]): value is readonly Container[] => Array.isArray(value);

/** A container's queue factories and idempotence store, named for the report. */
function candidatesOf(container: Container): { name: string; value: unknown }[] {
  const candidates: { name: string; value: unknown }[] = [];
  if (container.isBound(TYPES.QueueFactory)) {
    for (const f of container.getAll<{ scheme: string }>(TYPES.QueueFactory)) candidates.push({ name: `transport:${f.scheme}`, value: f });
  }
  if (container.isBound(TYPES.IdempotenceServiceFactory)) {
    candidates.push({ name: 'store', value: container.get(TYPES.IdempotenceServiceFactory) });
  }
  return candidates;
}

/** One line: the error's type and code, its message (with its hint) and its cause, secrets masked. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return maskSecrets(String(error));
  const code = OncebusError.is(error) ? ` [${error.code}]` : '';
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
  return maskSecrets(`${error.name}${code}: ${error.message}${cause}`);
}
