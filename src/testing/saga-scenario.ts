import { type Duration, parseDuration } from '../config/duration.js';
import type { TransportMessage } from '../envelope/transport-message.js';
import { toEpochMs } from '../handling/send-options.js';
import { MemoryIdempotenceStore, type MemoryTransaction } from '../idempotence/memory/index.js';
import type { IIdempotenceService } from '../idempotence/idempotence-service.js';
import { createSilentLogger, type ILogger } from '../logging/logger.js';
import { type MessageClass, messageTypeNameOf } from '../messages/message-type.js';
import { memorySagaRows } from '../sagas/persistence/memory-saga-persister.js';
import { type SagaBinding, sagaBindingOf } from '../sagas/saga-binding.js';
import { invokeSagaHandler } from '../sagas/saga-handler.js';
import { SAGA_TIMEOUT_HEADER } from '../sagas/saga-headers.js';
import { SagaRuntime } from '../sagas/saga-runtime.js';
import { decodeSagaState } from '../sagas/saga-state.js';
import type { SagaDefinition } from '../sagas/saga-types.js';
import { JsonSerializer } from '../serialization/json-serializer.js';
import type { ISerializer } from '../serialization/serializer.js';
import { HandlerTestContext, type RecordedMessage } from './handler-test-context.js';
import type { SendOptions } from '../handling/send-options.js';

/** A timeout the saga requested, as it would be delivered: the message, when, and under which name. */
export interface RequestedTimeout {
  readonly message: object;
  /** Epoch ms on the scenario's clock. */
  readonly dueAt: number;
  /** The name it was requested under; undefined once it was replaced or cancelled in the same handler. */
  readonly name: string | undefined;
  readonly transportMessage: TransportMessage;
}

/**
 * The context of one message a saga scenario ran: a HandlerTestContext (what the handler sent, published,
 * replied, its failureHandling), plus the timeouts it requested. `sent` holds the timeouts too (a timeout
 * is a send to the endpoint itself); `timeouts` lists them with their due time.
 */
export class SagaTestContext<T extends object> extends HandlerTestContext<T, MemoryTransaction> {
  /** Filled once the handler returned (the names are the instance's own after its save). */
  readonly timeouts: RequestedTimeout[] = [];
  /** Whether the saga ran the handler: false when no instance answered, or a timeout was dropped. */
  handled = false;
}

/** A saga instance as the scenario's store holds it after the last message. */
export interface SagaInstanceView<TData extends object> {
  readonly id: string;
  readonly correlationId: string;
  readonly data: TData;
  readonly version: number;
  /** Kept after completion (keepCompletedFor); a completed instance without it is gone (undefined). */
  readonly completed: boolean;
  /** Names of the timeouts it waits for. */
  readonly timeouts: readonly string[];
}

export interface SagaScenarioOptions {
  /** The scenario's clock at the start (default: now); advanceTime moves it. */
  readonly now?: Date | number;
  /** The serializer the saga's state goes through (default: the endpoint default, tagged JSON). */
  readonly serializer?: ISerializer;
  readonly logger?: ILogger;
}

/**
 * A saga under test without an endpoint (NServiceBus's saga scenario tests): each message runs as on an
 * endpoint — load, handle, save in one (memory) unit of work — with HandlerTestContext recording what it sent.
 *
 * ```ts
 * const scenario = new SagaScenario(orderSaga);
 * await scenario.given(new OrderPlaced('A-1'));
 * const ctx = await scenario.when(new PaymentReceived('A-1'));
 * expect(scenario.instance('A-1')?.data.paid).to.equal(true);
 * expect(ctx.timeouts).to.deep.equal([]);
 * const fired = await scenario.advanceTime('15m'); // the PaymentDue timeout runs through the saga
 * ```
 * A message that fails rejects `when` (its unit of work rolled back: the state is as before).
 */
export class SagaScenario<TData extends object> {
  private readonly store = new MemoryIdempotenceStore();
  private readonly service: IIdempotenceService;
  private readonly runtime: SagaRuntime;
  private readonly serializer: ISerializer;
  private readonly bindings = new Map<string, SagaBinding>();
  private readonly scheduled: RequestedTimeout[] = [];
  private clock: number;
  private sequence = 0;

  constructor(
    private readonly saga: SagaDefinition<TData>,
    options: SagaScenarioOptions = {},
  ) {
    for (const handler of saga.handlers) {
      const binding = sagaBindingOf(handler);
      if (binding) this.bindings.set(binding.messageTypeName, binding);
    }
    this.clock = options.now === undefined ? Date.now() : toEpochMs(options.now);
    this.serializer = options.serializer ?? new JsonSerializer();
    this.service = this.store.create(`test://saga-scenario/${saga.name}`);
    this.runtime = new SagaRuntime({ serializer: this.serializer, logger: options.logger ?? createSilentLogger(), clock: () => this.clock });
  }

  /** The scenario's clock (epoch ms). */
  get now(): number {
    return this.clock;
  }

  /** Prior history: runs each message in turn; their contexts are returned but rarely needed. */
  async given(...messages: object[]): Promise<SagaTestContext<object>[]> {
    const contexts: SagaTestContext<object>[] = [];
    for (const message of messages) contexts.push(await this.when(message));
    return contexts;
  }

  /** Runs one message through the saga, as an endpoint would, and returns its context to assert on. */
  async when<T extends object>(message: T, transportMessage: Partial<TransportMessage> = {}): Promise<SagaTestContext<T>> {
    const type = messageTypeNameOf(message.constructor as MessageClass) ?? '';
    const binding = this.bindings.get(type);
    if (!binding) throw new Error(`saga '${this.saga.name}' does not handle ${type || message.constructor.name}`);
    const uow = await this.service.beginUnitOfWork();
    const ctx = new SagaTestContext(message, {
      transaction: uow.transaction as MemoryTransaction,
      transportMessage: { messageId: `scenario-${++this.sequence}`, sendDate: this.clock, ...transportMessage },
    });
    try {
      await this.runtime.run(binding, message, ctx.transportMessage, uow, async (session) => {
        ctx.handled = session.status !== 'not-found';
        await invokeSagaHandler(binding, ctx, session);
        // Read once the handler returned: the session's timeouts are what its save writes.
        const names = new Map(Object.entries(session.timeouts).map(([name, token]) => [token, name]));
        for (const sent of ctx.sent) {
          const token = sent.transportMessage.headers[SAGA_TIMEOUT_HEADER];
          if (token) ctx.timeouts.push({ message: sent.message, dueAt: dueOf(sent, this.clock), name: names.get(token), transportMessage: sent.transportMessage });
        }
      });
      await uow.commit();
    } catch (error) {
      await uow.rollback();
      throw error;
    }
    this.scheduled.push(...ctx.timeouts);
    return ctx;
  }

  /**
   * Moves the clock forward and delivers every timeout due by then, in due order, through the saga (a
   * superseded, cancelled or completed instance's timeout is dropped, as on an endpoint). Timeouts they
   * request that fall due within the window run too. Returns the contexts of the timeouts delivered.
   */
  async advanceTime(by: Duration): Promise<SagaTestContext<object>[]> {
    const target = this.clock + parseDuration(by, 'advanceTime');
    const delivered: SagaTestContext<object>[] = [];
    for (;;) {
      this.scheduled.sort((a, b) => a.dueAt - b.dueAt);
      const next = this.scheduled[0];
      if (!next || next.dueAt > target) break;
      this.scheduled.shift();
      this.clock = Math.max(this.clock, next.dueAt);
      delivered.push(await this.when(next.message, { headers: next.transportMessage.headers }));
    }
    this.clock = target;
    return delivered;
  }

  /** Timeouts sent and not delivered yet (delivered ones may still be dropped by the saga). */
  get pendingTimeouts(): readonly RequestedTimeout[] {
    return [...this.scheduled].sort((a, b) => a.dueAt - b.dueAt);
  }

  /** The instance for a correlation value as saved, its data restored; undefined when none (or it completed and was removed). */
  instance(correlationId: string): SagaInstanceView<TData> | undefined {
    const row = memorySagaRows(this.store.storeId).find((r) => r.sagaType === this.saga.name && r.correlationId === correlationId);
    if (!row) return undefined;
    const state = decodeSagaState(this.serializer, row.state, this.saga.dataClass, this.saga.name, row.instanceId);
    return {
      id: row.instanceId,
      correlationId: row.correlationId,
      data: state.data as TData,
      version: row.version,
      completed: row.completedAt !== null,
      timeouts: Object.keys(state.timeouts),
    };
  }
}

const dueOf = (sent: RecordedMessage<SendOptions>, now: number): number => (sent.options?.deferUntil === undefined ? now : toEpochMs(sent.options.deferUntil));

