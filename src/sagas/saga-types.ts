import type { Duration } from '../config/duration.js';
import type { HandlerClass } from '../handling/handles-message.js';
import type { IHandlerContext } from '../handling/message-handler.js';

/** What a correlation function returns: a string, or a number or bigint (stringified). 1..200 characters, no control characters. */
export type CorrelationValue = string | number | bigint;

/**
 * What to do with a message no running instance answers (none started for its correlation value, or it
 * completed): 'ignore' (one warn log line, the message is acknowledged), 'retry' (the retry policy, then the
 * error queue: it may have come before the message that starts the saga), 'poison' (the error queue at once).
 */
export type SagaNotFoundPolicy = 'ignore' | 'retry' | 'poison';

/** When a requested timeout is due: `after` a duration from now, or `at` an instant. `name` defaults to the message type name. */
export interface SagaTimeoutOptions {
  readonly after?: Duration;
  readonly at?: Date;
  readonly name?: string;
}

/** A handler's view of its saga instance (`ctx.saga`). */
export interface SagaHandle<TData extends object> {
  /** The instance's state: changes are saved with the unit of work when the handler returns. */
  data: TData;
  /** The instance id (a UUID): timeouts find the instance by it; messages the saga sends carry it. */
  readonly id: string;
  /** The correlation value the instance was found (or started) by. */
  readonly correlationId: string;
  /** True when this message started the instance. */
  readonly isNew: boolean;
  /** complete() was called in this handler. */
  readonly completed: boolean;
  /** Ends the instance when the unit of work commits: it is removed (or kept, answering nothing, with keepCompletedFor). */
  complete(): void;
  /**
   * Sends `message` (a type the saga declared with `.timeout(...)`) back to this endpoint when due, in this
   * unit of work. A new request under a name replaces the earlier one: only the latest runs.
   */
  requestTimeout(message: object, options: SagaTimeoutOptions): Promise<void>;
  /** Cancels the timeout requested under `name` (default names are the message type names); it is dropped when delivered. */
  cancelTimeout(name: string): void;
}

/** The ordinary handler context plus the saga instance. */
export type SagaContext<TMessage extends object, TData extends object> = IHandlerContext<TMessage, unknown> & {
  readonly saga: SagaHandle<TData>;
};

export type SagaHandlerFunction<TMessage extends object, TData extends object> = (ctx: SagaContext<TMessage, TData>) => Promise<void> | void;

/** What `defineSaga(...).build()` returns: list `handlers` in the endpoint's handlers and bind a SagaModule. */
export interface SagaDefinition<TData extends object = object> {
  readonly name: string;
  readonly dataClass: new () => TData;
  /** One generated handler class per message type the saga handles (starting messages, others, timeouts). */
  readonly handlers: HandlerClass[];
  /** How long a completed instance is kept (ms), or null: removed when it completes. */
  readonly keepCompletedForMs: number | null;
}
