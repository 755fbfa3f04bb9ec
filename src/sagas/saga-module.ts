import { ConfigurationError } from '../errors/errors.js';
import { ProcessingStatus } from '../idempotence/idempotence-service.js';
import type { EndpointServices } from '../modules/endpoint-services.js';
import type { IOncebusModule, PipelineBuilders } from '../modules/oncebus-module.js';
import { type SagaBinding, type SagaModel, sagaBindingOf } from './saga-binding.js';
import type { ISagaPersister } from './saga-persister.js';
import { SagaPurger } from './saga-purge.js';
import { SagaRuntime } from './saga-runtime.js';
import { sagaSessions } from './saga-session.js';

export interface SagaModuleOptions {
  /** Keep saga instances here instead of in the endpoint's idempotence store (a store of your own). */
  readonly persister?: ISagaPersister;
  /** How often kept completed instances (keepCompletedFor) past their time are purged (ms, default 60 s). */
  readonly purgeIntervalMs?: number;
  /** Instances deleted per purge statement, each in a short unit of work of its own (default 500). */
  readonly purgeBatchSize?: number;
}

/**
 * Runs the sagas whose handlers an endpoint lists: bind one per endpoint container,
 * `container.bind(TYPES.Module).toConstantValue(new SagaModule())`.
 *
 * At start it checks that the endpoint has idempotence on (a saga's state is saved in the message's unit of
 * work, with its sends and its idempotence record) and lists every handler of each saga it names.
 *
 * Per message it is an around step through `onHandleMessage` only: the load comes after onCheckIdempotence
 * (a duplicate is skipped before any instance is loaded, and the unit of work is open), the save after the
 * handler returned and before onCommitUnitOfWork, so the state commits with everything else or not at all.
 * A step around the rest of the execution would reach past the commit, where a save could no longer join
 * the unit of work. Loading here rather than in the generated handler is what gives the load and save the
 * unit of work and the endpoint's serializer, which a handler's context does not expose; and the handler's
 * timeout (handlerTimeout) bounds the user's code, not a wait for an instance another message holds.
 *
 * Sagas with `keepCompletedFor` get a purge while the endpoint runs (from its `started` event to its
 * `stopped`): SagaPurger, in short units of work of the endpoint's sessions service, outside any message.
 */
export class SagaModule implements IOncebusModule {
  /** The purge of the endpoint's latest start (a bus started again registers its modules again). */
  private purger: { readonly purger: SagaPurger; readonly detach: () => void } | null = null;

  constructor(private readonly options: SagaModuleOptions = {}) {
    const { purgeIntervalMs, purgeBatchSize } = options;
    if (purgeIntervalMs !== undefined && !(Number.isInteger(purgeIntervalMs) && purgeIntervalMs > 0)) throw new ConfigurationError('SagaModule purgeIntervalMs', 'must be a positive whole number of ms');
    if (purgeBatchSize !== undefined && !(Number.isInteger(purgeBatchSize) && purgeBatchSize > 0)) throw new ConfigurationError('SagaModule purgeBatchSize', 'must be a positive whole number');
  }

  /** One purge pass now (tests, operations); 0 when no saga of the running endpoint keeps completed instances. */
  purgeCompletedNow(): Promise<number> {
    return this.purger?.purger.purgeNow() ?? Promise.resolve(0);
  }

  register(pipelines: PipelineBuilders, services: EndpointServices): void {
    const bindings = new Map<string, SagaBinding>();
    const sagas = new Map<string, SagaModel>();
    for (const type of services.handlers.handledTypes) {
      const binding = sagaBindingOf(services.handlers.handlerFor(type));
      if (!binding) continue;
      bindings.set(type, binding);
      const known = sagas.get(binding.saga.name);
      if (known && known !== binding.saga) throw new ConfigurationError('handlers', `two sagas are named '${binding.saga.name}'`, { hint: 'give each saga its own name' });
      sagas.set(binding.saga.name, binding.saga);
    }
    for (const saga of sagas.values()) this.check(saga, bindings, services);
    this.schedulePurge(sagas, services);
    if (bindings.size === 0) return;

    const runtime = new SagaRuntime({ serializer: services.serializer, logger: services.logger, clock: services.clock, persister: this.options.persister });
    pipelines.inbox.addAroundStep({
      around: 'onHandleMessage',
      through: 'onHandleMessage',
      name: 'SagaLoadAndSave',
      run: (state, next) => {
        if (state.status !== ProcessingStatus.Assigned) return undefined;
        const binding = bindings.get(state.transportMessage.messageType);
        if (!binding) return undefined; // not a saga's message: the step costs nothing
        const tm = state.transportMessage;
        // A second SagaModule bound by mistake would load the instance twice and save it at a stale version.
        if (sagaSessions.get(tm)) return undefined;
        return runtime.run(binding, state.message, tm, state.unitOfWork, async (session) => {
          sagaSessions.set(tm, session);
          try {
            await next();
          } finally {
            sagaSessions.delete(tm);
          }
        });
      },
    });
  }

  private schedulePurge(sagas: ReadonlyMap<string, SagaModel>, services: EndpointServices): void {
    this.purger?.detach();
    this.purger = null;
    const kept = new Map<string, number>();
    for (const saga of sagas.values()) if (saga.keepCompletedForMs !== null) kept.set(saga.name, saga.keepCompletedForMs);
    if (kept.size === 0) return;
    // The sessions service's units of work are plain transactions even where the endpoint's handlers group-commit.
    const units = services.sessions;
    if (!units) {
      services.logger.warn('sagas keep completed instances, but this idempotence store offers no units of work outside a message: they are removed only when a later message for their correlation value comes', { sagas: [...kept.keys()] });
      return;
    }
    const purger = new SagaPurger({
      units,
      kept,
      persister: this.options.persister,
      clock: services.clock,
      logger: services.logger,
      intervalMs: this.options.purgeIntervalMs ?? 60_000,
      batchSize: this.options.purgeBatchSize ?? 500,
    });
    const start = (): void => purger.start();
    const stop = (): void => void purger.stop();
    services.events.on('started', start);
    services.events.on('stopped', stop);
    const detach = (): void => {
      services.events.off('started', start);
      services.events.off('stopped', stop);
      void purger.stop();
    };
    this.purger = { purger, detach };
  }

  private check(saga: SagaModel, bindings: ReadonlyMap<string, SagaBinding>, services: EndpointServices): void {
    if (!services.idempotence.enabled) {
      throw new ConfigurationError('idempotence', `saga '${saga.name}' needs idempotence on: its state is saved in each message's unit of work`, {
        hint: 'set idempotence: true on the endpoint and bind an idempotence store (memory, SQLite, PostgreSQL or SQL Server)',
      });
    }
    const missing = saga.messageTypes.filter((type) => bindings.get(type)?.saga !== saga);
    if (missing.length > 0) {
      throw new ConfigurationError('handlers', `saga '${saga.name}' is listed without its handlers for ${missing.join(', ')}`, {
        hint: 'list every handler the saga built: handlers: [...saga.handlers, …]',
      });
    }
  }
}
