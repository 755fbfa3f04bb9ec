import type { TransportMessage } from '../envelope/transport-message.js';
import { OncebusError } from '../errors/oncebus-error.js';

/**
 * What a log line about a failed message carries, so an operator can act on it without the message in
 * hand: the endpoint, the message's type and id, the attempt, the error with its stack, and an oncebus
 * error's code and hint. Fields without a value are left out (never an `undefined` in the line).
 */
export function failureFields(endpoint: string, tm: TransportMessage | null | undefined, error: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const fields: Record<string, unknown> = { endpoint };
  if (tm?.messageType) fields.messageType = tm.messageType;
  if (tm?.messageId) fields.messageId = tm.messageId;
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) fields[key] = value;
  fields.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (OncebusError.is(error)) {
    fields.code = error.code;
    if (error.hint) fields.hint = error.hint;
  }
  if (error instanceof Error && error.stack) fields.stack = error.stack;
  return fields;
}
