import { CorruptEnvelopeError, MessageTooLargeError } from '../errors/errors.js';
import { DEFAULT_MESSAGE_LIMITS, MAX_HEADER_COUNT, MAX_HEADERS_LENGTH, type MessageLimits } from './message-limits.js';
import type { TransportMessage } from './transport-message.js';

/**
 * The envelope's wire format: one UTF-8 JSON object (docs/wire-format.md). Field names are Shuttle's,
 * camelCased; dates are ISO-8601 UTC strings or absent; the body is base64. Unknown fields are ignored so
 * that newer senders can add some; a missing required field or a wrong type is a CorruptEnvelopeError.
 */
export const WIRE_FORMAT_VERSION = 1;

interface WireEnvelope {
  v: number;
  messageId: string;
  messageReceivedId?: string;
  correlationId?: string;
  senderInboxWorkQueueUri?: string;
  recipientInboxWorkQueueUri?: string;
  principalIdentityName?: string;
  ignoreTillDate?: string;
  expiryDate?: string;
  sendDate?: string;
  priority?: number;
  failureMessages?: string[];
  messageType: string;
  encryptionAlgorithm?: string;
  compressionAlgorithm?: string;
  headers?: Record<string, string>;
  message: string;
}

const iso = (ms: number): string | undefined => (ms === 0 ? undefined : new Date(ms).toISOString());

export function serializeTransportMessage(tm: TransportMessage): Buffer {
  const wire: WireEnvelope = {
    v: WIRE_FORMAT_VERSION,
    messageId: tm.messageId,
    messageType: tm.messageType,
    message: Buffer.from(tm.message.buffer, tm.message.byteOffset, tm.message.byteLength).toString('base64'),
  };
  // Empty fields are left out: shorter on the wire, and readers default them.
  if (tm.messageReceivedId) wire.messageReceivedId = tm.messageReceivedId;
  if (tm.correlationId) wire.correlationId = tm.correlationId;
  if (tm.senderInboxWorkQueueUri) wire.senderInboxWorkQueueUri = tm.senderInboxWorkQueueUri;
  if (tm.recipientInboxWorkQueueUri) wire.recipientInboxWorkQueueUri = tm.recipientInboxWorkQueueUri;
  if (tm.principalIdentityName) wire.principalIdentityName = tm.principalIdentityName;
  wire.ignoreTillDate = iso(tm.ignoreTillDate);
  wire.expiryDate = iso(tm.expiryDate);
  wire.sendDate = iso(tm.sendDate);
  if (tm.priority !== 0) wire.priority = tm.priority;
  if (tm.failureMessages.length > 0) wire.failureMessages = tm.failureMessages;
  if (tm.encryptionAlgorithm) wire.encryptionAlgorithm = tm.encryptionAlgorithm;
  if (tm.compressionAlgorithm) wire.compressionAlgorithm = tm.compressionAlgorithm;
  for (const _ in tm.headers) {
    wire.headers = tm.headers;
    break;
  }
  return Buffer.from(JSON.stringify(wire), 'utf8');
}

/**
 * Reads an envelope. Bytes over `limits.maxMessageSize` (default 4 MiB) are refused unparsed
 * (MessageTooLargeError), as are more headers than MAX_HEADER_COUNT or MAX_HEADERS_LENGTH characters of them.
 */
export function deserializeTransportMessage(bytes: Uint8Array, limits: MessageLimits = DEFAULT_MESSAGE_LIMITS): TransportMessage {
  if (bytes.byteLength > limits.maxMessageSize) {
    throw new MessageTooLargeError(`envelope is ${bytes.byteLength} bytes, larger than ${limits.maxMessageSize} bytes (maxMessageSize)`);
  }
  let parsed: unknown;
  try {
    // A Buffer (what the transports hand over) is read as it is: a view around it cost every message an object.
    parsed = JSON.parse(Buffer.isBuffer(bytes) ? bytes.toString() : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (cause) {
    throw new CorruptEnvelopeError(`envelope is not JSON (${bytes.byteLength} bytes)`, { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CorruptEnvelopeError('envelope is not a JSON object');
  }
  const w = parsed as Record<string, unknown>;
  const messageId = keyableMessageId(requiredString(w, 'messageId'));
  const ctx = { messageId };
  const tm: TransportMessage = {
    messageId,
    messageReceivedId: optionalString(w, 'messageReceivedId', ctx),
    correlationId: optionalString(w, 'correlationId', ctx),
    senderInboxWorkQueueUri: optionalString(w, 'senderInboxWorkQueueUri', ctx),
    recipientInboxWorkQueueUri: optionalString(w, 'recipientInboxWorkQueueUri', ctx),
    principalIdentityName: optionalString(w, 'principalIdentityName', ctx),
    ignoreTillDate: optionalDate(w, 'ignoreTillDate', ctx),
    expiryDate: optionalDate(w, 'expiryDate', ctx),
    sendDate: optionalDate(w, 'sendDate', ctx),
    priority: optionalNumber(w, 'priority', ctx),
    failureMessages: optionalStringArray(w, 'failureMessages', ctx),
    messageType: requiredString(w, 'messageType', ctx),
    encryptionAlgorithm: optionalString(w, 'encryptionAlgorithm', ctx),
    compressionAlgorithm: optionalString(w, 'compressionAlgorithm', ctx),
    headers: optionalHeaders(w, ctx, limits),
    message: decodeBody(w, ctx),
  };
  return tm;
}

type Ctx = { messageId?: string };

/**
 * The longest messageId every store can key: SQL Server's message_id is NVARCHAR(200) (oncebus itself
 * writes 36-character UUIDs). An id a store cannot key would fail every claim of it and be redelivered
 * forever (and, with group commit, fail its whole batch each time), so it is unreadable here instead.
 */
export const MAX_MESSAGE_ID_LENGTH = 200;

/** Why a messageId cannot be keyed by every store, or undefined when it can. */
export function messageIdProblem(id: string): string | undefined {
  if (id.length > MAX_MESSAGE_ID_LENGTH) return `is longer than ${MAX_MESSAGE_ID_LENGTH} characters (${id.length})`;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    // A control character: PostgreSQL text cannot hold NUL, and none of them belongs in an id.
    if (c < 0x20 || c === 0x7f) return `holds control character U+${c.toString(16).padStart(4, '0')}`;
  }
  return undefined;
}

function keyableMessageId(id: string): string {
  const problem = messageIdProblem(id);
  if (problem) fail('messageId', problem, {});
  return id;
}

function fail(field: string, what: string, ctx: Ctx): never {
  throw new CorruptEnvelopeError(`envelope field '${field}' ${what}`, ctx);
}

function requiredString(w: Record<string, unknown>, field: string, ctx: Ctx = {}): string {
  const v = w[field];
  if (typeof v !== 'string' || v.length === 0) fail(field, 'is missing or not a non-empty string', ctx);
  return v;
}

function optionalString(w: Record<string, unknown>, field: string, ctx: Ctx): string {
  const v = w[field];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') fail(field, 'is not a string', ctx);
  return v;
}

function optionalNumber(w: Record<string, unknown>, field: string, ctx: Ctx): number {
  const v = w[field];
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(field, 'is not a finite number', ctx);
  return v;
}

function optionalDate(w: Record<string, unknown>, field: string, ctx: Ctx): number {
  const v = w[field];
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'string') fail(field, 'is not an ISO-8601 string', ctx);
  const ms = parseIsoDate(v);
  if (Number.isNaN(ms)) fail(field, `is not a valid date ('${v}')`, ctx);
  return ms;
}

/**
 * Date.parse's answer, without Date.parse for the form toISOString writes (every oncebus sender):
 * 'YYYY-MM-DDTHH:MM:SS.sssZ' with each field in Date.parse's own ranges (a day up to 31 rolls over in
 * both). Any other string — another form, a field out of range, a year before 1000 — goes to Date.parse.
 */
export function parseIsoDate(v: string): number {
  if (
    v.length === 24 &&
    v.charCodeAt(4) === DASH &&
    v.charCodeAt(7) === DASH &&
    v.charCodeAt(10) === LETTER_T &&
    v.charCodeAt(13) === COLON &&
    v.charCodeAt(16) === COLON &&
    v.charCodeAt(19) === DOT &&
    v.charCodeAt(23) === LETTER_Z
  ) {
    const year = digits(v, 0, 4);
    const month = digits(v, 5, 2);
    const day = digits(v, 8, 2);
    const hour = digits(v, 11, 2);
    const minute = digits(v, 14, 2);
    const second = digits(v, 17, 2);
    const millis = digits(v, 20, 3);
    if (year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59 && millis >= 0) {
      return daysFromCivil(year, month, day) * MS_PER_DAY + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis;
    }
  }
  return Date.parse(v);
}

const MS_PER_DAY = 86_400_000;

/**
 * Days from 1970-01-01 to a proleptic Gregorian date, year ≥ 0 (H. Hinnant's days_from_civil). Linear in
 * `day`, so a day past the month's end rolls over into the next month, as Date.UTC and Date.parse do.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

const DASH = 0x2d;
const COLON = 0x3a;
const DOT = 0x2e;
const LETTER_T = 0x54;
const LETTER_Z = 0x5a;

/** The decimal number in v[from, from + count), or -1 when a character there is not an ASCII digit. */
function digits(v: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const d = v.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function optionalStringArray(w: Record<string, unknown>, field: string, ctx: Ctx): string[] {
  const v = w[field];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) fail(field, 'is not an array of strings', ctx);
  return v as string[];
}

function optionalHeaders(w: Record<string, unknown>, ctx: Ctx, limits: MessageLimits): Record<string, string> {
  const v = w.headers;
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) fail('headers', 'is not an object', ctx);
  const headers = v as Record<string, unknown>;
  let count = 0;
  let length = 0;
  for (const name in headers) {
    const value = headers[name];
    if (typeof value !== 'string') fail('headers', 'has a value that is not a string', ctx);
    count++;
    length += name.length + value.length;
  }
  // Headers flow from a handled message to every message its handler sends: bounded, so none multiplies.
  const { maxHeaderCount = MAX_HEADER_COUNT, maxHeadersLength = MAX_HEADERS_LENGTH } = limits;
  if (count > maxHeaderCount) throw new MessageTooLargeError(`envelope has ${count} headers, more than ${maxHeaderCount}`, { ...ctx, hint: HEADERS_HINT });
  if (length > maxHeadersLength) {
    throw new MessageTooLargeError(`envelope headers hold ${length} characters, more than ${maxHeadersLength}`, { ...ctx, hint: HEADERS_HINT });
  }
  return headers as Record<string, string>;
}

const HEADERS_HINT = 'carry data in the message body, not in headers';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeBody(w: Record<string, unknown>, ctx: Ctx): Uint8Array {
  const v = w.message;
  if (typeof v !== 'string') fail('message', 'is missing or not a base64 string', ctx);
  // Buffer.from(…, 'base64') silently skips bad characters; a corrupt body must be caught here instead.
  if (v.length % 4 !== 0 || !BASE64.test(v)) fail('message', 'is not valid base64', ctx);
  return Buffer.from(v, 'base64');
}
