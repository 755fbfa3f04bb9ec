import { randomUUID } from 'node:crypto';
import type { TransportMessage } from '../envelope/transport-message.js';
import { ConfigurationError, SagaConcurrencyError, SagaCorrelationError } from '../errors/errors.js';
import type { IUnitOfWork } from '../idempotence/unit-of-work.js';
import type { ILogger } from '../logging/logger.js';
import type { ISerializer } from '../serialization/serializer.js';
import { selectSagaPersister } from './persistence/select-persister.js';
import type { SagaBinding } from './saga-binding.js';
import { correlationValueOf, keyProblem } from './saga-correlation.js';
import { SAGA_ID_HEADER, SAGA_TIMEOUT_HEADER, SAGA_TYPE_HEADER } from './saga-headers.js';
import { recordSagaOutcome } from './saga-outcome.js';
import type { ISagaPersister, StoredSaga } from './saga-persister.js';
import { SagaSession } from './saga-session.js';
import { decodeSagaState, encodeSagaState } from './saga-state.js';

export interface SagaRuntimeOptions {
  readonly serializer: ISerializer;
  readonly logger: ILogger;
  /** Epoch ms. */
  readonly clock: () => number;
  /** Where instances are kept; by default chosen from the unit of work's store (selectSagaPersister). */
  readonly persister?: ISagaPersister | undefined;
}

/**
 * One saga message as one unit of work (the spec's "Semantics"): load the instance (by correlation value,
 * or by id for a timeout), run the handler (`invoke`), save it in the same unit of work with a conditional
 * write. A lost race is a SagaConcurrencyError: the unit of work rolls back and the message is retried
 * against the state that won. Timeouts whose instance is gone, completed or past them are dropped here.
 */
export class SagaRuntime {
  constructor(private readonly options: SagaRuntimeOptions) {}

  async run(binding: SagaBinding, message: object, tm: TransportMessage, uow: IUnitOfWork | null, invoke: (session: SagaSession) => Promise<void>): Promise<void> {
    const { saga } = binding;
    if (!uow) {
      throw new ConfigurationError('idempotence', `saga '${saga.name}' needs idempotence on: its state is saved in the message's unit of work`);
    }
    const persister = this.options.persister ?? selectSagaPersister(uow, saga.name);
    const session = binding.kind === 'timeout' ? await this.loadForTimeout(binding, tm, uow, persister) : await this.load(binding, message, tm, uow, persister);
    if (!session) return;
    // For observers (telemetry): the instance, as soon as it is known; what happened to it once it is saved.
    const outcome = { sagaType: saga.name, instanceId: session.instanceId, started: false, completed: false, timeoutFired: false };
    if (session.status !== 'not-found') recordSagaOutcome(tm, outcome);
    try {
      await invoke(session);
    } finally {
      // A handler given up (handlerTimeout, stop) may run on: what it does to ctx.saga from now on is refused.
      session.ended = true;
    }
    await this.save(session, uow, persister, tm);
    if (session.status !== 'not-found') recordSagaOutcome(tm, { ...outcome, started: session.status === 'new', completed: session.completed, timeoutFired: binding.kind === 'timeout' });
  }

  private async load(binding: SagaBinding, message: object, tm: TransportMessage, uow: IUnitOfWork, persister: ISagaPersister): Promise<SagaSession> {
    const { saga } = binding;
    const correlationId = correlationValueOf(saga.name, binding.messageTypeName, binding.correlate!, message, tm.messageId);
    let stored = await persister.findByCorrelation(uow, saga.name, correlationId);
    if (stored && stored.completedAt !== null) {
      const keptUntil = stored.completedAt + (saga.keepCompletedForMs ?? 0);
      if (keptUntil > this.options.clock()) return this.session(binding, 'not-found', correlationId, '', null);
      // Kept past keepCompletedFor: purged here, in this unit of work, so the correlation value can start anew.
      if (!(await persister.remove(uow, saga.name, stored.instanceId, stored.version))) throw new SagaConcurrencyError(saga.name, correlationId, { messageId: tm.messageId });
      stored = undefined;
    }
    if (stored) return this.session(binding, 'loaded', correlationId, stored.instanceId, stored);
    return this.session(binding, binding.kind === 'start' ? 'new' : 'not-found', correlationId, binding.kind === 'start' ? randomUUID() : '', null);
  }

  /** The instance a timeout belongs to, with its token removed; undefined when the timeout is to be dropped. */
  private async loadForTimeout(binding: SagaBinding, tm: TransportMessage, uow: IUnitOfWork, persister: ISagaPersister): Promise<SagaSession | undefined> {
    const { saga } = binding;
    const header = (name: string): string => {
      const value = tm.headers[name];
      const problem = typeof value === 'string' ? keyProblem(value) : 'is missing';
      if (problem !== null) throw new SagaCorrelationError(saga.name, `the timeout ${binding.messageTypeName}'s header ${name} ${problem}`, { messageId: tm.messageId });
      return value!;
    };
    const sagaType = header(SAGA_TYPE_HEADER);
    const instanceId = header(SAGA_ID_HEADER);
    const token = header(SAGA_TIMEOUT_HEADER);
    if (sagaType !== saga.name) throw new SagaCorrelationError(saga.name, `the timeout ${binding.messageTypeName} names saga '${sagaType.slice(0, 100)}'`, { messageId: tm.messageId });
    const stored = await persister.findById(uow, saga.name, instanceId);
    const drop = (why: string): undefined => {
      const { logger } = this.options;
      if (logger.isDebugEnabled()) logger.debug(`saga timeout dropped: ${why}`, { saga: saga.name, instanceId, messageType: binding.messageTypeName, messageId: tm.messageId });
      return undefined;
    };
    if (!stored) return drop('its instance is gone');
    if (stored.completedAt !== null) return drop('its instance completed');
    const session = this.session(binding, 'loaded', stored.correlationId, stored.instanceId, stored);
    const name = Object.keys(session.timeouts).find((n) => session.timeouts[n] === token);
    if (name === undefined) return drop('superseded, cancelled or already run');
    // Removed in this unit of work's save: the timeout runs once in effect.
    delete session.timeouts[name];
    return session;
  }

  private session(binding: SagaBinding, status: SagaSession['status'], correlationId: string, instanceId: string, stored: StoredSaga | null): SagaSession {
    const { saga } = binding;
    const { serializer, logger, clock } = this.options;
    const state = stored
      ? decodeSagaState(serializer, stored.state, saga.dataClass, saga.name, stored.instanceId)
      : { data: new saga.dataClass(), timeouts: Object.create(null) as Record<string, string> };
    return new SagaSession(saga, status, correlationId, instanceId, state.data, state.timeouts, stored, logger, clock);
  }

  private async save(session: SagaSession, uow: IUnitOfWork, persister: ISagaPersister, tm: TransportMessage): Promise<void> {
    if (session.status === 'not-found') return;
    const { saga } = session;
    const now = this.options.clock();
    const keep = saga.keepCompletedForMs !== null;
    if (session.completed && !keep) {
      if (session.stored && !(await persister.remove(uow, saga.name, session.instanceId, session.stored.version))) this.lost(session, tm);
      return;
    }
    const row: StoredSaga = {
      sagaType: saga.name,
      correlationId: session.correlationId,
      instanceId: session.instanceId,
      state: encodeSagaState(this.options.serializer, session.data, session.timeouts),
      version: session.stored ? session.stored.version + 1 : 1,
      createdAt: session.stored?.createdAt ?? now,
      updatedAt: now,
      completedAt: session.completed ? now : null,
    };
    const saved = session.stored ? await persister.update(uow, row, session.stored.version) : await persister.insert(uow, row);
    if (!saved) this.lost(session, tm);
  }

  private lost(session: SagaSession, tm: TransportMessage): never {
    throw new SagaConcurrencyError(session.saga.name, session.correlationId, { messageId: tm.messageId, messageType: tm.messageType });
  }
}
