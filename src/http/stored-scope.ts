import { createHash } from 'node:crypto';

/** The longest scope stored as it is (a SQL Server primary key must stay within 900 bytes). */
export const MAX_SCOPE_LENGTH = 128;
const HASHED = 'sha256:';

/**
 * A principal's scope as it is stored: as given when it is short, else its SHA-256 (`sha256:<hex>`), so a
 * long principal is never cut into another's. A short one that starts with `sha256:` is hashed too, so no
 * principal can name a long one's stored scope. The default scope (no principal function) is ''.
 */
export function storedScope(principal: string): string {
  if (typeof principal !== 'string') throw new TypeError(`an idempotent route's principal() must return a string (got ${typeof principal})`);
  return principal.length <= MAX_SCOPE_LENGTH && !principal.startsWith(HASHED) ? principal : `${HASHED}${createHash('sha256').update(principal, 'utf8').digest('hex')}`;
}
