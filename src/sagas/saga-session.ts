import type { TransportMessage } from '../envelope/transport-message.js';
import type { ILogger } from '../logging/logger.js';
import type { SagaModel } from './saga-binding.js';
import type { StoredSaga } from './saga-persister.js';

/**
 * One message's saga instance between its load and its save: what the handler sees through `ctx.saga`
 * and what the save writes. 'not-found' carries no instance: the saga's not-found policy decides.
 */
export class SagaSession {
  completed = false;
  /** Set once the handler returned (or was given up): a late call on ctx.saga is refused, not half-saved. */
  ended = false;

  constructor(
    readonly saga: SagaModel,
    readonly status: 'new' | 'loaded' | 'not-found',
    readonly correlationId: string,
    readonly instanceId: string,
    public data: object,
    /** Timeout name → the token of its latest request. */
    readonly timeouts: Record<string, string>,
    /** The row it was loaded from (status 'loaded'). */
    readonly stored: StoredSaga | null,
    readonly logger: ILogger,
    readonly clock: () => number,
  ) {}
}

/**
 * The session of the message being handled, keyed by its envelope object: the pipeline's load step and the
 * generated handler (which sees only the ordinary handler context) meet here. Weak: nothing outlives its message.
 */
const sessions = new WeakMap<TransportMessage, SagaSession>();

export const sagaSessions = {
  set: (tm: TransportMessage, session: SagaSession): void => void sessions.set(tm, session),
  get: (tm: TransportMessage): SagaSession | undefined => sessions.get(tm),
  delete: (tm: TransportMessage): void => void sessions.delete(tm),
};
