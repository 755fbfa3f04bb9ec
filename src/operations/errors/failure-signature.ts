import { createHash } from 'node:crypto';

/** What a failure line (decide-failure.ts: `<ISO time> <endpoint> <Name>: <message>[ [CODE]]`) says. */
export interface ParsedFailure {
  readonly exceptionType: string;
  readonly message: string;
}

const LINE = /^\d{4}-\d\d-\d\dT[\d:.]+Z \S+ (.*)$/s;

/** The exception type and message of a failure line; lines of other shapes are kept whole as the message. */
export function parseFailureLine(line: string): ParsedFailure {
  const what = LINE.exec(line)?.[1] ?? line;
  const colon = /^([A-Za-z_$][\w$.]*): (.*)$/s.exec(what);
  return colon ? { exceptionType: colon[1]!, message: colon[2]! } : { exceptionType: 'Error', message: what };
}

/**
 * The message with what differs between occurrences of one fault taken out (ids, numbers, quoted values,
 * times), so "order 17 not found" and "order 42 not found" fall into one group.
 */
export function normaliseFailureMessage(message: string): string {
  return message
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:?\d\d)?/g, '<time>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>')
    .replace(/\b[0-9a-f]{16,}\b/gi, '<id>')
    .replace(/'[^']*'|"[^"]*"|`[^`]*`/g, '<value>')
    .replace(/\b\d+(\.\d+)?\b/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 500);
}

/** A failure group: one message type failing with one exception type and one normalised message. */
export interface FailureSignature {
  readonly id: string;
  readonly title: string;
}

export function failureSignature(messageType: string, exceptionType: string, message: string): FailureSignature {
  const normalised = normaliseFailureMessage(message);
  const title = `${messageType}: ${exceptionType}: ${normalised}`;
  return { id: createHash('sha256').update(title).digest('hex').slice(0, 16), title };
}
