import { ConfigurationError } from '../errors/errors.js';
import { ProcessingStatus } from '../idempotence/idempotence-service.js';
import type { EndpointServices } from '../modules/endpoint-services.js';
import type { IOncebusModule, PipelineBuilders } from '../modules/oncebus-module.js';
import { type SagaBinding, type SagaModel, sagaBindingOf } from './saga-binding.js';
import type { ISagaPersister } from './saga-persister.js';
import { SagaRuntime } from './saga-runtime.js';
import { sagaSessions } from './saga-session.js';

export interface SagaModuleOptions {
  /** Keep saga instances here instead of in the endpoint's idempotence store (a store of your own). */
  readonly persister?: ISagaPersister;
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
 */
export class SagaModule implements IOncebusModule {
  constructor(private readonly options: SagaModuleOptions = {}) {}

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
