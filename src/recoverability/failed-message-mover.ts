import { randomUUID } from 'node:crypto';
import type { QueueRegistry } from '../transport/queue-registry.js';
import { cloneTransportMessage, emptyTransportMessage, type TransportMessage } from '../envelope/transport-message.js';
import { serializeTransportMessage } from '../envelope/wire-format.js';
import { EXCEPTION_STACK_HEADER, EXCEPTION_TYPE_HEADER, FAILURE_REASON_HEADER, SOURCE_QUEUE_HEADER, UNREADABLE_MESSAGE_TYPE } from '../envelope/oncebus-headers.js';
import { failureLine } from './decide-failure.js';

/** Stacks are cut to this many characters: headers travel with every copy. */
const MAX_STACK = 8_000;

/**
 * Writes the copies that carry a failed message onward: a retry copy (same messageId, one more failure
 * line, a due time) or an error-queue copy. The caller acknowledges the original only after the copy is
 * enqueued, so a crash in between leaves a duplicate, never a loss.
 */
export class FailedMessageMover {
  constructor(
    private readonly queues: QueueRegistry,
    private readonly endpointName: string,
    private readonly clock: () => number,
  ) {}

  /** A copy with this failure recorded; `ignoreTillDate` 0 = at once. */
  withFailure(tm: TransportMessage, error: unknown, ignoreTillDate = tm.ignoreTillDate): TransportMessage {
    const copy = cloneTransportMessage(tm);
    copy.failureMessages.push(failureLine(error, this.clock(), this.endpointName));
    copy.ignoreTillDate = ignoreTillDate;
    return copy;
  }

  /** The error-queue copy: this failure recorded, and its exception's type and stack in headers. */
  forErrorQueue(tm: TransportMessage, error: unknown): TransportMessage {
    const copy = this.withFailure(tm, error);
    copy.headers[EXCEPTION_TYPE_HEADER] = error instanceof Error ? error.name : typeof error;
    const stack = error instanceof Error ? error.stack : undefined;
    if (stack) copy.headers[EXCEPTION_STACK_HEADER] = stack.slice(0, MAX_STACK);
    else delete copy.headers[EXCEPTION_STACK_HEADER];
    return copy;
  }

  /** A copy with several failures recorded (a message that kept failing around the infrastructure). */
  withFailures(tm: TransportMessage, errors: readonly string[]): TransportMessage {
    const copy = cloneTransportMessage(tm);
    for (const error of errors) copy.failureMessages.push(failureLine(error, this.clock(), this.endpointName));
    return copy;
  }

  /** The address a queue URI is known by in headers (no credentials). */
  sourceAddress(uri: string): string {
    return this.queues.address(uri);
  }

  /** The endpoint's clock: retry due times and failure lines read the same time. */
  now(): number {
    return this.clock();
  }

  async enqueue(uri: string, tm: TransportMessage): Promise<void> {
    await this.queues.sender(uri).enqueue(tm, serializeTransportMessage(tm));
  }

  /**
   * Bytes that are not an envelope: kept unchanged as the body of a new envelope whose headers say why
   * and where from, so the error queue stays readable and nothing of the original is lost.
   */
  async enqueueUnreadable(uri: string, raw: Uint8Array, error: unknown, sourceQueueUri: string): Promise<TransportMessage> {
    const tm = emptyTransportMessage();
    tm.messageId = randomUUID();
    tm.messageType = UNREADABLE_MESSAGE_TYPE;
    tm.sendDate = this.clock();
    tm.message = raw;
    tm.headers[FAILURE_REASON_HEADER] = error instanceof Error ? error.message : String(error);
    tm.headers[SOURCE_QUEUE_HEADER] = sourceQueueUri;
    tm.failureMessages.push(failureLine(error, this.clock(), this.endpointName));
    await this.enqueue(uri, tm);
    return tm;
  }
}
