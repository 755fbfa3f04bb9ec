import type { TransportMessage } from '../envelope/transport-message.js';
import { BusStateError, ConfigurationError, QueueOperationUnsupportedError } from '../errors/errors.js';
import type { PublishOptions, SendOptions } from '../handling/send-options.js';
import { finishesWithin } from '../processing/finishes-within.js';
import { SessionRunner } from '../sessions/session-runner.js';
import type { ITransactionalSession } from '../sessions/transactional-session.js';
import { isCountQueue, isPurgeQueue } from '../transport/queue.js';
import { assembleEndpoint, type ServiceBusDependencies } from './assemble-endpoint.js';
import { BusEvents } from '../events/bus-events.js';
import { buildPipelines, type EndpointPipelines } from './build-pipelines.js';
import { EndpointLifecycle } from './endpoint-lifecycle.js';
import type { EndpointServices } from '../modules/endpoint-services.js';
import type { BusPhase, BusStatus } from './bus-status.js';
import { maskSecrets } from '../secrets/mask-secrets.js';

/** The bus of one endpoint, as users see it. */
export interface IServiceBus {
  readonly events: BusEvents;
  readonly started: boolean;
  /** Checks the configuration (failing with the setting's name), creates queues, subscribes, starts receiving. */
  start(): Promise<void>;
  /** Graceful: no new messages; in-flight ones finish or are released within the stop timeout. Nothing is lost. */
  stop(): Promise<void>;
  /** Sends now, outside any handler's unit of work (inside a handler use `context.send`). */
  send(message: object, options?: SendOptions): Promise<TransportMessage>;
  /**
   * Sends many messages now, each with its own messageId; `options` apply to each (a
   * fixed `messageId` is refused: give each message its own send). Transports write them together where
   * they can — a SQL queue in one INSERT and one commit (all or none) — so this is the fast way to enqueue
   * many. Resolves when every one is written.
   */
  sendMany(messages: readonly object[], options?: SendOptions): Promise<TransportMessage[]>;
  /** Publishes now to every subscriber of the message's type: one messageId for all copies. */
  publish(message: object, options?: PublishOptions): Promise<readonly TransportMessage[]>;
  /**
   * Runs `work` in a transactional session: a transaction of its own on the endpoint's idempotence store
   * (`session.transaction`, for your writes) in which `session.send`/`publish` store the messages; after it
   * commits they are dispatched, and if this process dies first, the sweeper of this or another process of
   * the endpoint dispatches them. If `work` throws, everything rolls back, nothing is sent, and the error
   * is rethrown. Resolves to what `work` returns. Type the transaction by annotating the parameter, e.g.
   * `async (session: ITransactionalSession<PostgresTransaction>) => …`.
   */
  withTransaction<R, TTransaction = unknown>(work: (session: ITransactionalSession<TTransaction>) => Promise<R>): Promise<R>;
  /**
   * How many messages wait in a queue: this endpoint's inbox by default, or any queue its transports reach
   * (its error queue, say). Messages taken and not yet settled may not be counted. Throws
   * QueueOperationUnsupportedError when the transport cannot count (Azure Service Bus: use its portal).
   */
  countMessages(queueUri?: string): Promise<number>;
  /**
   * Deletes every message in a queue, for good (an error queue after you looked, a test's queues). Refused
   * for this endpoint's own inbox while it runs; QueueOperationUnsupportedError when the transport cannot.
   */
  purgeQueue(queueUri: string): Promise<void>;
  /**
   * Its phase and its receive loops, now, for a health check (a host's readiness probe): no I/O. A bus
   * whose stop() was called reports `stopping` at once.
   */
  status(): BusStatus;
}

/** Margin for a transport's or store's answer on top of the handler's and stop's bounds (see BusStatus). */
const STALL_MARGIN_MS = 60_000;

/** What a started bus runs on; null while stopped. */
interface Running {
  readonly services: EndpointServices;
  readonly pipelines: EndpointPipelines;
  readonly lifecycle: EndpointLifecycle;
  readonly sessions: SessionRunner | null;
}

export class ServiceBus implements IServiceBus {
  readonly events = new BusEvents();
  private phase: BusPhase = 'stopped';
  private running: Running | null = null;

  constructor(private readonly deps: ServiceBusDependencies) {}

  get started(): boolean {
    return this.phase === 'started';
  }

  async start(): Promise<void> {
    if (this.phase !== 'stopped') throw new BusStateError(`start() while the bus is ${this.phase}`);
    this.phase = 'starting';
    let lifecycle: EndpointLifecycle | null = null;
    try {
      const stop = new AbortController();
      const { services, subscriptions } = assembleEndpoint(this.deps, this.events, stop.signal);
      const pipelines = buildPipelines(services, this.deps.modules ?? []);
      lifecycle = new EndpointLifecycle(services, pipelines, subscriptions, stop);
      await lifecycle.start();
      const sessions = services.sessions
        ? new SessionRunner(services.sessions, pipelines.sender, pipelines.flush, services.logger, this.events, services.clock)
        : null;
      this.running = { services, pipelines, lifecycle, sessions };
      this.phase = 'started';
      services.logger.info('endpoint started', {
        endpoint: services.options.name,
        threadCount: services.options.inbox?.threadCount ?? 0,
        idempotence: services.idempotence.enabled,
      });
      this.events.emit('started');
    } catch (error) {
      // Undo what the start-up did get to (loops started, connections reserved, queues opened).
      if (lifecycle) await lifecycle.stop().catch(() => undefined);
      this.phase = 'stopped';
      throw error;
    }
  }

  async stop(): Promise<void> {
    if (this.phase !== 'started') return;
    this.phase = 'stopping';
    const { services, lifecycle, sessions } = this.running!;
    try {
      // Sessions under way finish (commit and dispatch, or roll back) before the store and queues close.
      // Those that outlast stopTimeout are rolled back (abandon), so the store can close under them.
      if (sessions && !(await finishesWithin(sessions.drained(), services.options.stopTimeoutMs))) {
        sessions.abandon();
        await finishesWithin(sessions.drained(), services.options.stopTimeoutMs);
      }
      await lifecycle.stop();
    } finally {
      this.phase = 'stopped';
      this.running = null;
      services.logger.info('endpoint stopped', { endpoint: services.options.name });
      this.events.emit('stopped');
    }
  }

  status(): BusStatus {
    const { name, inbox: configuredInbox } = this.deps.options;
    const endpoint = name ?? (configuredInbox ? maskSecrets(configuredInbox.workQueueUri) : 'send-only');
    const running = this.running;
    if (!running) return { endpoint, phase: this.phase, receiveLoops: [], stallAfterMs: STALL_MARGIN_MS };
    const { handlerTimeoutMs, stopTimeoutMs, inbox, outbox } = running.services.options;
    const pauses = [...(inbox?.durationToSleepWhenIdle ?? []), ...(outbox?.durationToSleepWhenIdle ?? [])];
    return {
      endpoint,
      phase: this.phase,
      receiveLoops: running.lifecycle.receiveLoops(),
      stallAfterMs: handlerTimeoutMs + stopTimeoutMs + Math.max(0, ...pauses) + STALL_MARGIN_MS,
    };
  }

  async send(message: object, options?: SendOptions): Promise<TransportMessage> {
    return (await this.sender().send('send', message, options))[0]!;
  }

  async sendMany(messages: readonly object[], options?: SendOptions): Promise<TransportMessage[]> {
    if (options?.messageId !== undefined && messages.length > 1) {
      throw new ConfigurationError('sendMany options', 'a messageId would be shared by every message', { hint: 'send messages that need fixed ids one by one with bus.send(message, { messageId })' });
    }
    const sender = this.sender();
    // Started in one turn, so the transports see them together (SqlQueueBase coalesces them into one write).
    const sent = await Promise.all(messages.map((m) => sender.send('send', m, options)));
    return sent.map((s) => s[0]!);
  }

  publish(message: object, options?: PublishOptions): Promise<readonly TransportMessage[]> {
    return this.sender().send('publish', message, options);
  }

  withTransaction<R, TTransaction = unknown>(work: (session: ITransactionalSession<TTransaction>) => Promise<R>): Promise<R> {
    if (this.phase !== 'started') return Promise.reject(new BusStateError('the bus is not started: call start() before withTransaction()'));
    const sessions = this.running?.sessions;
    if (!sessions) {
      return Promise.reject(
        new ConfigurationError('idempotence store', 'is required for bus.withTransaction (the session stores its messages in it)', {
          hint: 'bind a store that offers sessions (SQLite, PostgreSQL, SQL Server or MemoryIdempotenceStore) as TYPES.IdempotenceServiceFactory',
        }),
      );
    }
    return sessions.run(work);
  }

  async countMessages(queueUri?: string): Promise<number> {
    const { queues, options } = this.services('countMessages');
    const uri = queueUri ?? options.inbox?.workQueueUri;
    if (uri === undefined) throw new BusStateError('countMessages() of a send-only endpoint: name the queue to count');
    const queue = queues.sender(uri);
    if (!isCountQueue(queue)) throw new QueueOperationUnsupportedError('count', uri);
    return queue.count();
  }

  async purgeQueue(queueUri: string): Promise<void> {
    const { queues, options } = this.services('purgeQueue');
    if (options.inbox && queues.address(queueUri) === queues.address(options.inbox.workQueueUri)) {
      throw new BusStateError('purgeQueue() of this endpoint\'s own inbox while it runs: stop it first, or purge through another endpoint');
    }
    const queue = queues.sender(queueUri);
    if (!isPurgeQueue(queue)) throw new QueueOperationUnsupportedError('purge', queueUri);
    await queue.purge();
  }

  private services(operation: string): EndpointServices {
    if (this.phase !== 'started' || !this.running) throw new BusStateError(`the bus is not started: call start() before ${operation}()`);
    return this.running.services;
  }

  private sender() {
    if (this.phase !== 'started' || !this.running) throw new BusStateError('the bus is not started: call start() before sending');
    return this.running.pipelines.sender;
  }
}
