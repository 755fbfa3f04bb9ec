import { emptyTransportMessage, type TransportMessage } from '../envelope/transport-message.js';

/** The message type a session's row is recorded under (what retention and operations see). */
export const SESSION_MESSAGE_TYPE = 'oncebus.TransactionalSession';

/**
 * The envelope a session's sends hang off, as a handler's hang off the message it handles: its messageId
 * (the session id) keys the session's row and its stored sends, and becomes the sends' messageReceivedId.
 */
export function sessionEnvelope(sessionId: string, now: number): TransportMessage {
  return { ...emptyTransportMessage(), messageId: sessionId, messageType: SESSION_MESSAGE_TYPE, sendDate: now };
}

/** The key a session service's rows are filed under: one per logical endpoint, shared by its processes. */
export const sessionKeyOf = (endpointName: string): string => `oncebus-session://${endpointName}`;
