import type { Attributes } from '@opentelemetry/api';
import type { TransportMessage } from '../envelope/transport-message.js';
import { ProcessingStatus } from '../idempotence/idempotence-service.js';

/** The messaging system a queue address belongs to: its scheme (rabbitmq, azuresb, postgres, sqlite, memory). */
export const systemOf = (address: string): string => /^([a-z][a-z0-9+.-]*):/i.exec(address)?.[1]?.toLowerCase() ?? 'oncebus';

/** OpenTelemetry's messaging attributes for one message (semantic conventions 1.26+), plus its oncebus type. */
export function messageAttributes(tm: TransportMessage, destination: string, operation: 'send' | 'process'): Attributes {
  const attributes: Attributes = {
    'messaging.system': systemOf(destination),
    'messaging.destination.name': destination,
    'messaging.operation.type': operation,
    'messaging.message.id': tm.messageId,
    'oncebus.message.type': tm.messageType,
  };
  if (tm.correlationId) attributes['messaging.message.conversation_id'] = tm.correlationId;
  return attributes;
}

/**
 * What idempotence made of a received copy: 'new' (the handler ran), 'handled' (its work had committed
 * before: only its stored sends were flushed), 'completed' (a duplicate: skipped), 'waited' (found handled
 * while a concurrent copy flushed its sends: it waited behind that copy, and took over only if the other's
 * flush lease ran out).
 */
export function idempotenceOutcome(status: ProcessingStatus, waitedForCopy = false): string {
  switch (status) {
    case ProcessingStatus.Assigned:
      return 'new';
    case ProcessingStatus.MessageHandled:
      return waitedForCopy ? 'waited' : 'handled';
    case ProcessingStatus.Ignore:
      return 'completed';
  }
}

