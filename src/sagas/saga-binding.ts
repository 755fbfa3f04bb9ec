import type { HandlerClass } from '../handling/handles-message.js';
import type { IHandlerContext } from '../handling/message-handler.js';
import type { SagaContext, SagaNotFoundPolicy } from './saga-types.js';

/** A built saga as the runtime reads it. */
export interface SagaModel {
  readonly name: string;
  readonly dataClass: new () => object;
  readonly keepCompletedForMs: number | null;
  readonly notFound: (ctx: IHandlerContext<object, unknown>) => SagaNotFoundPolicy;
  /** Message type names declared with `.timeout(...)`: what requestTimeout accepts. */
  readonly timeoutTypes: ReadonlySet<string>;
  /** Every message type name the saga handles (so a start can check they are all listed). */
  readonly messageTypes: readonly string[];
}

/** One generated handler's job: which saga, which message type, and how it finds its instance. */
export interface SagaBinding {
  readonly saga: SagaModel;
  /** 'start' may create the instance; 'handle' needs one; 'timeout' finds it by the id in its headers. */
  readonly kind: 'start' | 'handle' | 'timeout';
  readonly messageTypeName: string;
  /** For 'start' and 'handle'. */
  readonly correlate: ((message: object) => unknown) | null;
  readonly handle: (ctx: SagaContext<object, object>) => Promise<void> | void;
}

const BINDING = Symbol.for('oncebus.sagaBinding');

export function attachSagaBinding(handler: HandlerClass, binding: SagaBinding): void {
  Object.defineProperty(handler, BINDING, { value: binding, enumerable: false });
}

/** The saga binding of a generated handler class; undefined for any other handler. */
export function sagaBindingOf(handler: HandlerClass | undefined): SagaBinding | undefined {
  return handler && Object.hasOwn(handler, BINDING) ? (handler as unknown as Record<symbol, SagaBinding>)[BINDING] : undefined;
}
