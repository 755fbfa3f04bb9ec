import { randomUUID } from 'node:crypto';

/**
 * Azure Service Bus lock tokens are the 16-byte delivery tags, in .NET Guid byte order: the first three
 * groups (4, 2, 2 bytes) little-endian, the rest as written. The SDK turns the tag into the token string.
 */
export function newLockToken(): string {
  return randomUUID();
}

export function lockTokenToTag(token: string): Buffer {
  const b = Buffer.from(token.replace(/-/g, ''), 'hex');
  return Buffer.concat([Buffer.from(b.subarray(0, 4)).reverse(), Buffer.from(b.subarray(4, 6)).reverse(), Buffer.from(b.subarray(6, 8)).reverse(), b.subarray(8)]);
}

export function tagToLockToken(tag: Buffer): string {
  const b = Buffer.concat([Buffer.from(tag.subarray(0, 4)).reverse(), Buffer.from(tag.subarray(4, 6)).reverse(), Buffer.from(tag.subarray(6, 8)).reverse(), tag.subarray(8, 16)]);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A uuid as the management API carries it (an AMQP uuid: 16 bytes in RFC order, or already a string). */
export function uuidToString(value: unknown): string {
  if (typeof value === 'string') return value.toLowerCase();
  const b = Buffer.isBuffer(value) ? value : Buffer.from((value as { value?: Buffer })?.value ?? []);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
