import { constants } from 'node:os';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Container } from 'inversify';
import { ConfigurationError, type IServiceBus, OncebusError, TYPES } from '../index.js';
import { maskSecrets } from '../secrets/mask-secrets.js';
import { busCheck, dependencyCheck, healthCheckedDependencies, type NamedDependency, receiveLoopsCheck } from './check-endpoint-health.js';
import type { HealthReport } from './health-report.js';
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
   * Runs after the bus stopped, before the exit: close what it ran on — the store's pool, the broker's
   * connections (the bus leaves the factories to whoever bound them).
   */
  readonly afterStop?: () => void | Promise<void>;
  /** The process to run in (tests inject one: signals they raise, exits they record). */
  readonly process?: HostProcess;
  /** Epoch ms (tests). */
  readonly clock?: () => number;
}

/** A running endpoint under its host. */
export interface EndpointHost {
  readonly bus: IServiceBus;
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
 * Runs one endpoint as a process: starts the probe server (when `http` is given), runs `beforeStart`,
 * starts the bus, runs `afterStart`; on the first SIGTERM or SIGINT stops it gracefully and exits 0 (1 if
 * the stop failed); a second signal exits at once (128 + the signal's number). When the start fails, prints the error (typed, secrets masked) and
 * exits 1; the returned promise then rejects with that error (seen only where `exit` returns, in tests).
 */
export async function runEndpoint(container: Container, options: RunEndpointOptions = {}): Promise<EndpointHost> {
  const proc = options.process ?? nodeProcess;
  const probeTimeoutMs = options.probeTimeoutMs ?? 2000;
  if (!Number.isInteger(probeTimeoutMs) || probeTimeoutMs < 1) {
    throw new ConfigurationError('probeTimeoutMs', `must be a positive integer of milliseconds (got ${String(probeTimeoutMs)})`);
  }
  const clock = options.clock ?? Date.now;
  const bus = container.get<IServiceBus>(TYPES.ServiceBus);
  const dependencies = dependenciesOf(container);
  let stopping = false;
  let server: Server | null = null;
  let probeAddress: AddressInfo | null = null;

  const liveness = (): HealthReport => {
    const status = bus.status();
    const loops = receiveLoopsCheck(status, clock());
    const checks = [busCheck(status, stopping), loops];
    return { live: loops.healthy, ready: false, checks };
  };
  const health = async (): Promise<HealthReport> => {
    const status = bus.status();
    const local = [busCheck(status, stopping), receiveLoopsCheck(status, clock())];
    const remote = await Promise.all(dependencies.map((d) => dependencyCheck(d, probeTimeoutMs)));
    // Read again: a stop may have begun while the dependencies answered.
    const checks = [busCheck(bus.status(), stopping), local[1]!, ...remote];
    return { live: local[1]!.healthy, ready: checks.every((c) => c.healthy), checks };
  };

  let stopped: Promise<number> | undefined;
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const onSignal = (signal: NodeJS.Signals) => () => {
    if (stopped !== undefined) {
      proc.error(`${signal} again: exiting without waiting for the stop`);
      proc.exit(128 + (constants.signals[signal] ?? 0));
      return;
    }
    proc.info(`${signal}: stopping the endpoint`);
    void stop().then((code) => proc.exit(code));
  };
  const listeners = signals.map((s) => [s, onSignal(s)] as const);

  const stop = (): Promise<number> => {
    stopped ??= (async () => {
      stopping = true;
      let code = 0;
      try {
        await options.beforeStop?.();
        await bus.stop();
        await options.afterStop?.();
        proc.info('endpoint stopped');
      } catch (error) {
        proc.error(`the endpoint did not stop cleanly: ${describeError(error)}`);
        code = 1;
      }
      // The signal handlers stay until here: a second signal during the stop forces the exit.
      for (const [s, l] of listeners) proc.off(s, l);
      if (server) await closeProbeServer(server);
      return code;
    })();
    return stopped;
  };

  try {
    for (const [s, l] of listeners) proc.on(s, l);
    if (options.http) {
      // First, so a liveness probe answers while a slow start (a broker far away) is under way.
      ({ server, address: probeAddress } = await startProbeServer(options.http, { liveness, health }));
    }
    await options.beforeStart?.();
    await bus.start();
  } catch (error) {
    proc.error(`the endpoint could not start: ${describeError(error)}`);
    for (const [s, l] of listeners) proc.off(s, l);
    if (server) await closeProbeServer(server);
    await Promise.resolve(options.afterStop?.()).catch(() => undefined);
    proc.exit(1);
    throw error;
  }
  const host: EndpointHost = { bus, probeAddress, health, liveness, stop };
  try {
    await options.afterStart?.();
  } catch (error) {
    proc.error(`the endpoint could not start: ${describeError(error)}`);
    await stop();
    proc.exit(1);
    throw error;
  }
  return host;
}

/** The queue factories and the idempotence store bound in the container, those of them that can tell their health. */
function dependenciesOf(container: Container): NamedDependency[] {
  const candidates: { name: string; value: unknown }[] = [];
  if (container.isBound(TYPES.QueueFactory)) {
    for (const f of container.getAll<{ scheme: string }>(TYPES.QueueFactory)) candidates.push({ name: `transport:${f.scheme}`, value: f });
  }
  if (container.isBound(TYPES.IdempotenceServiceFactory)) {
    candidates.push({ name: 'store', value: container.get(TYPES.IdempotenceServiceFactory) });
  }
  return healthCheckedDependencies(candidates);
}

/** One line: the error's type and code, its message (with its hint) and its cause, secrets masked. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return maskSecrets(String(error));
  const code = OncebusError.is(error) ? ` [${error.code}]` : '';
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
  return maskSecrets(`${error.name}${code}: ${error.message}${cause}`);
}
