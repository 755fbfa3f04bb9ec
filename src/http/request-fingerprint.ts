import { createHash } from 'node:crypto';

/**
 * What makes two requests "the same request" for one key: SHA-256 over the method, the path with its query
 * as the client sent it, and the raw body bytes (hex). Each part is ended by a NUL, which none of the
 * first two may contain, so no two different requests hash the same parts.
 */
export function requestFingerprint(method: string, pathAndQuery: string, body: Uint8Array): string {
  return createHash('sha256').update(method.toUpperCase()).update('\0').update(pathAndQuery).update('\0').update(body).digest('hex');
}
