import type { TransportMessage } from '../envelope/transport-message.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { FlushMessageState } from '../pipelines/flush/flush-message-state.js';
import type { ISessionIdempotenceService } from '../idempotence/session-idempotence-service.js';

/**
 * Dispatches what a committed session owes, in send order — each stored send through the endpoint's flush
 * pipeline (put on the wire, then its row deleted) — and marks the session completed. Takes the flush
 * lease first (waiting while another process holds it); when that process completed the session meanwhile,
 * nothing is sent. On failure the lease is given up (`release`: the session's own dispatch, so the sweeper
 * can take over at once) or kept until it runs out (`hold`: the sweeper's, so a session that keeps failing
 * waits a lease before its next try and the sessions after it get theirs — none starves the others).
 */
export async function dispatchOwedSends(
  service: ISessionIdempotenceService,
  session: TransportMessage,
  flush: Pipeline<FlushMessageState>,
  onFailure: 'release' | 'hold',
): Promise<number> {
  try {
    const owed = await service.getDeferredMessages(session);
    for (const deferred of owed) await flush.execute(new FlushMessageState(session, deferred, service));
    await service.processingCompleted(session);
    return owed.length;
  } catch (error) {
    if (onFailure === 'release') await service.releaseFlush(session).catch(() => undefined);
    throw error;
  }
}
