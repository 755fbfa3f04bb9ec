import { SagaCorrelationError } from '../errors/errors.js';

const MAX_LENGTH = 200;

/** Why `value` is not a usable key (a correlation value, an instance id, a timeout token), or null when it is. */
export function keyProblem(value: string): string | null {
  if (value.length === 0) return 'is empty';
  if (value.length > MAX_LENGTH) return `is longer than ${MAX_LENGTH} characters`;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    // PostgreSQL text cannot hold NUL, and no control character belongs in a key.
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return `holds control character U+${c.toString(16).padStart(4, '0')}`;
    // A lone surrogate becomes U+FFFD in UTF-8: two different values would share one stored key.
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return 'holds a lone surrogate';
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return 'holds a lone surrogate';
  }
  return null;
}

/**
 * The correlation value of `message`, as a string: the saga's function's result, checked. Anything else (a
 * throw, undefined, an object, an empty or overlong string) is the message's fault: SagaCorrelationError,
 * which sends it to the error queue.
 */
export function correlationValueOf(sagaType: string, messageType: string, correlate: (message: object) => unknown, message: object, messageId: string): string {
  const fail = (reason: string, cause?: unknown): never => {
    throw new SagaCorrelationError(sagaType, `the correlation value of ${messageType} ${reason}`, { messageId, messageType, cause });
  };
  let raw: unknown;
  try {
    raw = correlate(message);
  } catch (cause) {
    return fail(`could not be read: ${cause instanceof Error ? cause.message : String(cause)}`.slice(0, 300), cause);
  }
  let value: string;
  if (typeof raw === 'string') value = raw;
  else if (typeof raw === 'bigint' || (typeof raw === 'number' && Number.isFinite(raw))) value = String(raw);
  else return fail(`is ${raw === null ? 'null' : typeof raw}, not a string or number`);
  const problem = keyProblem(value);
  return problem === null ? value : fail(problem);
}
