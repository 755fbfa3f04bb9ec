import { IGNORE_RETENTION_HEADER } from '../../envelope/oncebus-headers.js';
import { RetentionWindowPassedError } from '../../errors/errors.js';
import { type IIdempotenceService, ProcessingStatus } from '../../idempotence/idempotence-service.js';
import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import type { InboxDecoded } from './inbox-message-state.js';


/**
 * With idempotence on: opens the message's unit of work and asks for its processing status (claiming
 * it when new; waiting when another copy holds the claim). A new claim for a message older than its
 * type's retention window is refused: its completed row may be gone, so it is reported, not run again.
 */
export class CheckIdempotenceObserver implements IPipelineObserver<InboxDecoded, 'onCheckIdempotence'> {
  readonly event = 'onCheckIdempotence';

  constructor(
    private readonly idempotence: IIdempotenceService,
    private readonly clock: () => number,
  ) {}

  // Not async: with idempotence off it costs no promise and no microtask.
  execute(state: InboxDecoded): Promise<void> | undefined {
    if (!this.idempotence.enabled) return;
    return this.check(state);
  }

  private async check(state: InboxDecoded): Promise<void> {
    const tm = state.transportMessage;
    state.unitOfWork = this.idempotence.openUnitOfWork?.() ?? (await this.idempotence.beginUnitOfWork());
    state.status = await this.idempotence.processingStatus(tm, state.unitOfWork);
    state.idempotenceChecked = true;
    if (state.status !== ProcessingStatus.Assigned || tm.headers[IGNORE_RETENTION_HEADER] === 'true') return;
    const window = this.idempotence.retentionWindowFor?.(tm.messageType);
    // Neither date set (a sender that writes no sendDate): the age is unknown, not "since 1970".
    const since = Math.max(tm.sendDate, tm.ignoreTillDate);
    if (window === undefined || since === 0) return;
    const age = this.clock() - since;
    if (age > window) throw new RetentionWindowPassedError(tm.messageId, age, window);
  }
}
