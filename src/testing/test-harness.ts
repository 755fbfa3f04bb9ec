import { Container } from 'inversify';
import { addOncebus, type EndpointOptions, type IServiceBus, TYPES } from '../index.js';
import type { TransportMessage } from '../envelope/transport-message.js';
import { deserializeTransportMessage } from '../envelope/wire-format.js';
import { MemoryIdempotenceStore } from '../idempotence/memory/memory-idempotence-store.js';
import { createSilentLogger, type ILogger } from '../logging/logger.js';
import { MemorySubscriptionService } from '../subscriptions/memory-subscription-service.js';
import { MemoryBroker } from '../transports/memory/index.js';

/** One step of the message flow the harness saw, in order. */
export interface FlowStep {
  readonly endpoint: string;
  readonly event: 'dispatched' | 'handled' | 'ignored' | 'flushed' | 'retried' | 'sent-to-error-queue' | 'deferred' | 'expired' | 'released';
  readonly messageType: string;
  readonly messageId: string;
  /** For 'dispatched': the queue it was put on. */
  readonly to?: string;
}

/** Endpoint options for the harness: queues default to memory://<name>, -error and -deferred; `inbox: undefined` for a send-only endpoint. */
export type HarnessEndpointOptions = Omit<Partial<EndpointOptions>, 'inbox'> & { inbox?: Partial<EndpointOptions['inbox']> };

export interface SettledOptions {
  /** Give up (rejecting with what is still pending) after this long; default 10 s. */
  readonly timeoutMs?: number;
}

/**
 * Several endpoints in one process over the memory transport, the memory idempotence store and memory
 * subscriptions (MassTransit's test harness, NServiceBus's acceptance tests): start them, send, and
 * `await harness.settled()` — nothing ready, in flight or deferred in any queue but the error queues, and no
 * stored send unsent — then assert on `flow`, on `errorQueue(name)` and on your own state.
 */
export class TestHarness {
  readonly broker = new MemoryBroker();
  readonly idempotence = new MemoryIdempotenceStore();
  readonly subscriptions = new MemorySubscriptionService();
  readonly flow: FlowStep[] = [];
  private readonly buses = new Map<string, IServiceBus>();

  constructor(private readonly logger: ILogger = createSilentLogger()) {}

  /** An endpoint named `name`, its inbox memory://<name>; `configure` may bind more into its container. */
  endpoint(name: string, options: HarnessEndpointOptions = {}, configure?: (container: Container) => void): IServiceBus {
    if (this.buses.has(name)) throw new Error(`the harness already has an endpoint named '${name}'`);
    const container = new Container();
    container.bind(TYPES.QueueFactory).toConstantValue(this.broker);
    container.bind(TYPES.IdempotenceServiceFactory).toConstantValue(this.idempotence);
    container.bind(TYPES.SubscriptionService).toConstantValue(this.subscriptions);
    container.bind(TYPES.Logger).toConstantValue(this.logger);
    configure?.(container);
    // `inbox: undefined` given on purpose makes a send-only endpoint.
    const sendOnly = 'inbox' in options && options.inbox === undefined;
    addOncebus(container, {
      name,
      ...options,
      inbox: sendOnly
        ? undefined
        : {
            workQueueUri: `memory://${name}`,
            errorQueueUri: `memory://${name}-error`,
            deferredQueueUri: `memory://${name}-deferred`,
            durationToIgnoreOnFailure: ['0ms'],
            durationToSleepWhenIdle: ['1ms', '5ms', '20ms'],
            ...options.inbox,
          },
    });
    const bus = container.get<IServiceBus>(TYPES.ServiceBus);
    this.record(name, bus);
    this.buses.set(name, bus);
    return bus;
  }

  /** Starts every endpoint (subscribers first does not matter: subscriptions are registered at start). */
  async start(): Promise<void> {
    for (const bus of this.buses.values()) if (!bus.started) await bus.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.buses.values()].map((bus) => (bus.started ? bus.stop() : undefined)));
  }

  /** Resolves once nothing is left to do anywhere; rejects after `timeoutMs` naming what is still pending. */
  async settled(options: SettledOptions = {}): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    // Quiet twice in a row, a few milliseconds apart: a receive loop may be between take and handle.
    for (let quiet = 0; quiet < 2; ) {
      const pending = this.pending();
      if (pending.length === 0) quiet++;
      else {
        quiet = 0;
        if (Date.now() > deadline) throw new Error(`the harness did not settle: ${pending.join('; ')}`);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** What is still to do: messages ready or in flight outside the error queues, stored sends unsent. */
  pending(): string[] {
    const pending: string[] = [];
    for (const name of this.broker.queueNames()) {
      const state = this.broker.stateOf(`memory://${name}`);
      if (state.inFlight.size > 0) pending.push(`${state.inFlight.size} in flight on ${name}`);
      if (!name.endsWith('-error') && state.ready.length > 0) pending.push(`${state.ready.length} ready on ${name}`);
    }
    let unsent = 0;
    for (const row of this.idempotence.rows.values()) unsent += row.deferred.length;
    if (unsent > 0) pending.push(`${unsent} stored send(s) not dispatched`);
    if (this.idempotence.heldClaims > 0) pending.push(`${this.idempotence.heldClaims} unit(s) of work open`);
    return pending;
  }

  /** The envelopes in an endpoint's error queue. */
  errorQueue(name: string): TransportMessage[] {
    return this.broker.stateOf(`memory://${name}-error`).ready.toArray().map((e) => deserializeTransportMessage(e.body));
  }

  private record(endpoint: string, bus: IServiceBus): void {
    const step = (event: FlowStep['event']) => (tm: TransportMessage | null) => {
      if (tm) this.flow.push({ endpoint, event, messageType: tm.messageType, messageId: tm.messageId });
    };
    bus.events.on('messageDispatched', (tm) => this.flow.push({ endpoint, event: 'dispatched', messageType: tm.messageType, messageId: tm.messageId, to: tm.recipientInboxWorkQueueUri }));
    bus.events.on('messageHandled', step('handled'));
    bus.events.on('messageIgnored', step('ignored'));
    bus.events.on('messageFlushed', step('flushed'));
    bus.events.on('messageRetried', step('retried'));
    bus.events.on('messageSentToErrorQueue', step('sent-to-error-queue'));
    bus.events.on('messageDeferred', step('deferred'));
    bus.events.on('messageExpired', step('expired'));
    bus.events.on('messageReleased', step('released'));
  }
}
