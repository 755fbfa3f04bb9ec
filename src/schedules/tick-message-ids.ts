import { createHash } from 'node:crypto';

/** The UUID namespace of oncebus's schedules (random, fixed forever: changing it would make every tick new). */
const NAMESPACE = Buffer.from('9b1c6f0e4d2a5b7c8e3f1a0d6c4b2e95', 'hex');

/** An RFC 9562 UUIDv5 of `parts` in oncebus's schedule namespace: the same parts give the same id everywhere. */
function uuidV5(parts: readonly string[]): string {
  const hash = createHash('sha1').update(NAMESPACE).update(parts.join('\u0000')).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The id of a tick message: every process that fires this tick of this schedule sends it under this id. */
export const tickMessageId = (address: string, schedule: string, tickMs: number): string => uuidV5(['tick', address, schedule, String(tickMs)]);

/** The id of the message a tick sends: a receiver with idempotence drops any second copy of it too. */
export const scheduledMessageId = (address: string, schedule: string, tickMs: number): string => uuidV5(['message', address, schedule, String(tickMs)]);
