import type { TransportMessage } from '../envelope/transport-message.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { FlushMessageState } from '../pipelines/flush/flush-message-state.js';
import type { ISessionIdempotenceService } from './session-service.js';

/**
 * Dispatches what a committed session owes, in send order — each stored send through the endpoint's flush
 * pipeline (put on the wire, then its row deleted) — and marks the session completed. Takes the flush
 * lease first (waiting while another process holds it); when that process completed the session meanwhile,
 * nothing is sent. On failure the lease is given up, so the sweeper can take over at once.
 */
export async function dispatchOwedSends(service: ISessionIdempotenceService, session: TransportMessage, flush: Pipeline<FlushMessageState>): Promise<number> {
  try {
    const owed = await service.getDeferredMessages(session);
    for (const deferred of owed) await flush.execute(new FlushMessageState(session, deferred, service));
    await service.processingCompleted(session);
    return owed.length;
  } catch (error) {
    await service.releaseFlush(session).catch(() => undefined);
    throw error;
  }
}
