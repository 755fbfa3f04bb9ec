import { randomUUID } from 'node:crypto';
import { parseDuration } from '../config/duration.js';
import type { TransportMessage } from '../envelope/transport-message.js';
import { ConfigurationError, InvalidMessageError, TransactionMisuseError } from '../errors/errors.js';
import type { FailureHandling, IHandlerContext } from '../handling/message-handler.js';
import type { PublishOptions, ReplyOptions, SendOptions } from '../handling/send-options.js';
import { type MessageClass, messageTypeNameOf } from '../messages/message-type.js';
import { SAGA_ID_HEADER, SAGA_TIMEOUT_HEADER, SAGA_TYPE_HEADER } from './saga-headers.js';
import type { SagaSession } from './saga-session.js';
import type { SagaContext, SagaHandle, SagaTimeoutOptions } from './saga-types.js';

/** `ctx.saga`: the session's instance, with the saga's own operations. */
class SagaHandleImpl implements SagaHandle<object> {
  constructor(
    private readonly session: SagaSession,
    private readonly ctx: IHandlerContext<object, unknown>,
  ) {}

  get data(): object {
    return this.session.data;
  }

  set data(value: object) {
    this.open();
    this.session.data = value;
  }

  get id(): string {
    return this.session.instanceId;
  }

  get correlationId(): string {
    return this.session.correlationId;
  }

  get isNew(): boolean {
    return this.session.status === 'new';
  }

  get completed(): boolean {
    return this.session.completed;
  }

  complete(): void {
    this.open();
    this.session.completed = true;
  }

  async requestTimeout(message: object, options: SagaTimeoutOptions): Promise<void> {
    this.open();
    const { saga } = this.session;
    const type = typeof message === 'object' && message !== null ? messageTypeNameOf(message.constructor as MessageClass) : undefined;
    if (type === undefined) throw new InvalidMessageError(`a ${typeof message} as a timeout`);
    if (!saga.timeoutTypes.has(type)) {
      throw new ConfigurationError(`saga '${saga.name}'`, `requestTimeout(${type}): not a timeout of this saga`, { hint: `declare it: .timeout(${type}, async (ctx) => …)` });
    }
    const deferUntil = dueTime(options, this.session.clock(), saga.name);
    const name = options.name ?? type;
    const token = randomUUID();
    await this.ctx.send(message, {
      local: true,
      deferUntil,
      headers: { [SAGA_TYPE_HEADER]: saga.name, [SAGA_ID_HEADER]: this.session.instanceId, [SAGA_TIMEOUT_HEADER]: token },
    });
    // Recorded once the send is stored: a refused send leaves no token that nothing would ever deliver.
    this.session.timeouts[name] = token;
  }

  cancelTimeout(name: string): void {
    this.open();
    delete this.session.timeouts[name];
  }

  private open(): void {
    if (this.session.ended) {
      throw new TransactionMisuseError(`saga '${this.session.saga.name}': ctx.saga used after its handler ended`, 'await every call on ctx.saga inside the handler');
    }
  }
}

function dueTime(options: SagaTimeoutOptions, now: number, sagaName: string): number {
  const setting = `saga '${sagaName}' requestTimeout`;
  if ((options.after === undefined) === (options.at === undefined)) throw new ConfigurationError(setting, 'give exactly one of { after } or { at }');
  if (options.at !== undefined) {
    const at = options.at instanceof Date ? options.at.getTime() : Number.NaN;
    if (!Number.isFinite(at)) throw new ConfigurationError(setting, '{ at } must be a valid Date');
    return at;
  }
  return now + parseDuration(options.after!, setting);
}

/**
 * The handler context a saga's handler gets: the ordinary one, plus `saga`. Everything it sends carries the
 * saga's type and instance id (so a reply can be traced to it) and never a timeout token it inherited.
 */
export class SagaHandlerContext implements SagaContext<object, object> {
  readonly saga: SagaHandle<object>;

  constructor(
    private readonly inner: IHandlerContext<object, unknown>,
    session: SagaSession,
  ) {
    this.saga = new SagaHandleImpl(session, inner);
    this.headers = { [SAGA_TYPE_HEADER]: session.saga.name, [SAGA_ID_HEADER]: session.instanceId, [SAGA_TIMEOUT_HEADER]: '' };
  }

  private readonly headers: Record<string, string>;

  get message(): object {
    return this.inner.message;
  }

  get transportMessage(): TransportMessage {
    return this.inner.transportMessage;
  }

  get transaction(): unknown {
    return this.inner.transaction;
  }

  get signal(): AbortSignal {
    return this.inner.signal;
  }

  get failureHandling(): FailureHandling {
    return this.inner.failureHandling;
  }

  set failureHandling(value: FailureHandling) {
    this.inner.failureHandling = value;
  }

  send(message: object, options?: SendOptions): Promise<TransportMessage> {
    return this.inner.send(message, this.traced(options));
  }

  publish(message: object, options?: PublishOptions): Promise<readonly TransportMessage[]> {
    return this.inner.publish(message, this.traced(options));
  }

  reply(message: object, options?: ReplyOptions): Promise<TransportMessage> {
    return this.inner.reply(message, this.traced(options));
  }

  private traced<O extends SendOptions>(options: O | undefined): O {
    return { ...options, headers: { ...this.headers, ...options?.headers } } as O;
  }
}
