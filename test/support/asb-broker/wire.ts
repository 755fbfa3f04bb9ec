import rhea, { type Message } from 'rhea';
import type { Lock, Stored } from './entities.js';

/** The AMQP message format of a batch transfer. */
export const BATCH_FORMAT = 0x80013700;

/** The message as delivered: the stored one plus the annotations the SDK reads. */
export function toWire(stored: Stored, lock?: Lock): Message {
  const m = stored.message;
  const annotations: Record<string, unknown> = {
    ...(m.message_annotations as Record<string, unknown> | undefined),
    'x-opt-sequence-number': rhea.types.wrap_long(stored.sequenceNumber),
    'x-opt-enqueued-time': new Date(stored.enqueuedAt),
  };
  if (lock) annotations['x-opt-locked-until'] = new Date(lock.expiresAt);
  if (stored.deadLetterSource) annotations['x-opt-deadletter-source'] = stored.deadLetterSource;
  const props = { ...(m.application_properties as Record<string, unknown> | undefined) };
  if (stored.deadLetterReason) {
    props.DeadLetterReason = stored.deadLetterReason;
    props.DeadLetterErrorDescription = stored.deadLetterDescription ?? '';
  }
  return { ...m, delivery_count: stored.deliveryCount, message_annotations: annotations, application_properties: props };
}

/** A batch transfer: an envelope message whose data sections each hold one encoded message. */
export function unbatch(buffer: Buffer): Message[] {
  const envelope = rhea.message.decode(buffer) as unknown as { body: unknown };
  const sections = dataSections(envelope.body);
  return sections.map((s) => rhea.message.decode(s) as unknown as Message);
}

function dataSections(body: unknown): Buffer[] {
  if (Buffer.isBuffer(body)) return [body];
  const b = body as { typecode?: number; content?: unknown; multiple?: boolean };
  if (Array.isArray(b)) return b.flatMap(dataSections);
  if (b && b.content !== undefined) return Array.isArray(b.content) ? (b.content as unknown[]).flatMap(dataSections) : dataSections(b.content);
  return [];
}
