import { ERROR_KINDS, type ErrorKind, type OncebusErrorCode } from './error-codes.js';

/**
 * Base of every error oncebus throws. `code` is stable across releases (match on it, not on the message);
 * `kind` says whose fault it is (error-codes.ts), which decides where a message it fails goes;
 * `hint` is one line telling the user what to do (also appended to `message`, after " — "). The brand lets `OncebusError.is` work across two copies
 * of the package in one process, where `instanceof` would not.
 */
const BRAND = Symbol.for('oncebus.error');

export interface OncebusErrorContext {
  readonly messageId?: string | undefined;
  readonly queueUri?: string | undefined;
  readonly setting?: string | undefined;
  readonly messageType?: string | undefined;
}

export interface OncebusErrorOptions extends OncebusErrorContext {
  readonly cause?: unknown;
  readonly hint?: string;
}

export class OncebusError extends Error {
  readonly code: OncebusErrorCode;
  readonly kind: ErrorKind;
  readonly hint: string | undefined;
  readonly messageId: string | undefined;
  readonly queueUri: string | undefined;
  readonly setting: string | undefined;
  readonly messageType: string | undefined;

  constructor(code: OncebusErrorCode, message: string, options: OncebusErrorOptions = {}) {
    // The hint is part of the message: logs, crash dumps and `String(error)` show what to do, not only `.hint`.
    super(options.hint ? `${message} — ${options.hint}` : message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.kind = ERROR_KINDS[code];
    this.hint = options.hint;
    this.messageId = options.messageId;
    this.queueUri = options.queueUri;
    this.setting = options.setting;
    this.messageType = options.messageType;
    Object.defineProperty(this, BRAND, { value: true });
  }

  static is(value: unknown): value is OncebusError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
