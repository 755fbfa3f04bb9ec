import { createHash } from 'node:crypto';
import { randomToken } from './security.js';

/** Sessions kept at once; opening one more forgets the oldest. */
const MAX_SESSIONS = 1000;

const digest = (value: string): string => createHash('sha256').update(value).digest('hex');

/** What opening the dashboard with its token gives a browser. */
export interface OpenedSession {
  /**
   * Sent as a cookie: lets the browser load the page's own files (no data in them). Cookies reach every
   * server on the host, whatever its port, so this opens nothing else.
   */
  readonly pagePass: string;
  /**
   * Handed to the page in the address's fragment (never sent to a server), kept in its sessionStorage (this
   * origin's, port included) and sent as `Authorization: Bearer`: what opens the API.
   */
  readonly secret: string;
}

/**
 * The sessions of a dashboard with a token, in this process (they end with it). Neither value is the token,
 * and only digests are kept.
 */
export class DashboardSessions {
  private readonly pagePasses = new Set<string>();
  private readonly secrets = new Set<string>();
  private readonly order: (readonly [string, string])[] = [];

  open(): OpenedSession {
    const session = { pagePass: randomToken(), secret: randomToken() };
    const kept = [digest(session.pagePass), digest(session.secret)] as const;
    this.pagePasses.add(kept[0]);
    this.secrets.add(kept[1]);
    this.order.push(kept);
    if (this.order.length > MAX_SESSIONS) {
      const [pass, secret] = this.order.shift()!;
      this.pagePasses.delete(pass);
      this.secrets.delete(secret);
    }
    return session;
  }

  isPagePass(value: string | undefined): boolean {
    return value !== undefined && this.pagePasses.has(digest(value));
  }

  isSecret(value: string | undefined): boolean {
    return value !== undefined && this.secrets.has(digest(value));
  }
}
