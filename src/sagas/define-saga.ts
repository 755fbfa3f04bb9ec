import { type Duration, parseDuration } from '../config/duration.js';
import { ConfigurationError } from '../errors/errors.js';
import type { HandlerClass } from '../handling/handles-message.js';
import type { IHandlerContext } from '../handling/message-handler.js';
import { type MessageClass, messageTypeNameOf } from '../messages/message-type.js';
import type { SagaBinding, SagaModel } from './saga-binding.js';
import { sagaHandlerClass } from './saga-handler.js';
import type { CorrelationValue, SagaDefinition, SagaHandlerFunction, SagaNotFoundPolicy } from './saga-types.js';

const VALID_NAME = /^[A-Za-z_][\w.:-]{0,199}$/;
const POLICIES: readonly SagaNotFoundPolicy[] = ['ignore', 'retry', 'poison'];

interface Declared {
  readonly kind: SagaBinding['kind'];
  readonly type: MessageClass;
  readonly typeName: string;
  readonly correlate: ((message: object) => unknown) | null;
  readonly handle: SagaBinding['handle'];
}

/**
 * Declares a saga in one typed statement: the data class and each message's type infer the handlers'
 * `ctx.saga.data` and `ctx.message`. `build()` generates one handler class per message type.
 */
export class SagaBuilder<TData extends object> {
  private readonly declared: Declared[] = [];
  private notFound: (ctx: IHandlerContext<object, unknown>) => SagaNotFoundPolicy = () => 'ignore';
  private keepMs: number | null = null;
  private built: SagaDefinition<TData> | null = null;

  constructor(
    private readonly name: string,
    private readonly dataClass: new () => TData,
  ) {
    if (typeof name !== 'string' || !VALID_NAME.test(name)) {
      throw new ConfigurationError('defineSaga', `'${String(name).slice(0, 100)}' is not a valid saga name (letters, digits, . _ : -; at most 200)`);
    }
    if (typeof dataClass !== 'function') throw new ConfigurationError(`saga '${name}'`, 'the data class must be a class with a no-argument constructor');
  }

  /** A message that starts an instance when none answers its correlation value (and is handled by it otherwise). */
  startedBy<TMessage extends object>(type: MessageClass<TMessage>, correlate: (message: TMessage) => CorrelationValue, handle: SagaHandlerFunction<TMessage, TData>): this {
    return this.declare('start', type, correlate, handle);
  }

  /** A message handled by the running instance its correlation value names (the not-found policy otherwise). */
  handles<TMessage extends object>(type: MessageClass<TMessage>, correlate: (message: TMessage) => CorrelationValue, handle: SagaHandlerFunction<TMessage, TData>): this {
    return this.declare('handle', type, correlate, handle);
  }

  /** A timeout the saga requests with ctx.saga.requestTimeout: handled by the instance that requested it, once, if still current. */
  timeout<TMessage extends object>(type: MessageClass<TMessage>, handle: SagaHandlerFunction<TMessage, TData>): this {
    return this.declare('timeout', type, null, handle);
  }

  /** What a message no running instance answers does (default 'ignore': a warn line, acknowledged). */
  whenNotFound(policy: SagaNotFoundPolicy | ((ctx: IHandlerContext<object, unknown>) => SagaNotFoundPolicy)): this {
    this.assertOpen();
    if (typeof policy === 'function') this.notFound = policy;
    else if (POLICIES.includes(policy)) this.notFound = () => policy;
    else throw new ConfigurationError(`saga '${this.name}' whenNotFound`, `must be one of ${POLICIES.join(', ')}`);
    return this;
  }

  /** Keep completed instances this long (for audit; they answer nothing), instead of removing them at once. */
  keepCompletedFor(duration: Duration): this {
    this.assertOpen();
    this.keepMs = parseDuration(duration, `saga '${this.name}' keepCompletedFor`);
    return this;
  }

  build(): SagaDefinition<TData> {
    if (this.built) return this.built;
    if (!this.declared.some((d) => d.kind === 'start')) {
      throw new ConfigurationError(`saga '${this.name}'`, 'no message starts it', { hint: '.startedBy(MessageType, (m) => m.key, async (ctx) => …)' });
    }
    try {
      new this.dataClass();
    } catch (cause) {
      throw new ConfigurationError(`saga '${this.name}'`, 'its data class cannot be made with new DataClass()', { cause });
    }
    const notFound = this.notFound;
    const model: SagaModel = {
      name: this.name,
      dataClass: this.dataClass,
      keepCompletedForMs: this.keepMs,
      notFound: (ctx) => {
        const policy = notFound(ctx);
        return POLICIES.includes(policy) ? policy : 'retry';
      },
      timeoutTypes: new Set(this.declared.filter((d) => d.kind === 'timeout').map((d) => d.typeName)),
      messageTypes: this.declared.map((d) => d.typeName),
    };
    const handlers: HandlerClass[] = this.declared.map((d) =>
      sagaHandlerClass({ saga: model, kind: d.kind, messageTypeName: d.typeName, correlate: d.correlate, handle: d.handle }, d.type),
    );
    this.built = Object.freeze({ name: this.name, dataClass: this.dataClass, handlers, keepCompletedForMs: this.keepMs });
    return this.built;
  }

  private declare<TMessage extends object>(
    kind: SagaBinding['kind'],
    type: MessageClass<TMessage>,
    correlate: ((message: TMessage) => CorrelationValue) | null,
    handle: SagaHandlerFunction<TMessage, TData>,
  ): this {
    this.assertOpen();
    const setting = `saga '${this.name}'`;
    const typeName = typeof type === 'function' ? messageTypeNameOf(type) : undefined;
    if (typeName === undefined) throw new ConfigurationError(setting, `${String((type as { name?: unknown })?.name ?? type)} has no message type name`, { hint: "decorate it: @messageType('orders.OrderPlaced')" });
    if (this.declared.some((d) => d.typeName === typeName)) throw new ConfigurationError(setting, `${typeName} is declared twice (one handler per message type)`);
    if (kind !== 'timeout' && typeof correlate !== 'function') throw new ConfigurationError(setting, `${typeName} needs a correlation function, (message) => message.key`);
    if (typeof handle !== 'function') throw new ConfigurationError(setting, `${typeName} needs a handler function`);
    this.declared.push({
      kind,
      type,
      typeName,
      correlate: correlate as ((message: object) => unknown) | null,
      handle: handle as unknown as SagaBinding['handle'],
    });
    return this;
  }

  private assertOpen(): void {
    if (this.built) throw new ConfigurationError(`saga '${this.name}'`, 'already built: declare everything before build()');
  }
}

/**
 * `defineSaga('OrderFulfilment', OrderFulfilment).startedBy(…).handles(…).timeout(…).build()`: a saga whose
 * instance state is a `new OrderFulfilment()`, found per message by a correlation value.
 */
export function defineSaga<TData extends object>(name: string, dataClass: new () => TData): SagaBuilder<TData> {
  return new SagaBuilder(name, dataClass);
}
