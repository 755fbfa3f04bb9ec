import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { maskSecrets } from '../../secrets/mask-secrets.js';
import { bearerToken, CSRF_HEADER, cookieValue, SECURITY_HEADERS, sameSecret, withoutTokenParam } from './security.js';
import { DashboardSessions } from './sessions.js';

export interface RequestGuard {
  /** The Host values answered to, once listening (a loopback dashboard without a token); null: any. */
  readonly allowedHosts: () => ReadonlySet<string> | null;
  /** The dashboard's token, if it has one. */
  readonly token: string | undefined;
  /** The page's CSRF token (this process's). */
  readonly csrf: string;
  /** The cookie's name (per port, so two dashboards on one host keep theirs apart). */
  readonly cookieName: () => string;
}

/** A refusal: plain text for the page's files, `{ error }` for the API. */
export function refuse(reply: FastifyReply, statusCode: number, message: string, page: boolean): FastifyReply {
  return page ? reply.code(statusCode).type('text/plain; charset=utf-8').send(`${statusCode}: ${message}\n`) : reply.code(statusCode).send({ error: message });
}

/** A header a client sent, as shown in a refusal: bounded, no secret. */
const shown = (value: string | undefined): string => (value === undefined ? '(none)' : maskSecrets(value, 256));

/**
 * The dashboard's rules for every request, before any route: the security headers; the Host check (DNS
 * rebinding); with a token, the session (see DashboardSessions: `?token=` once opens one, the page's files
 * take its cookie, the API only its secret or the token as Bearer); for an action, the Origin,
 * Sec-Fetch-Site and CSRF checks.
 */
export function guardRequests(app: FastifyInstance, guard: RequestGuard): void {
  const sessions = new DashboardSessions();
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    reply.headers(SECURITY_HEADERS);
    const page = !request.url.startsWith('/api/');
    const hosts = guard.allowedHosts();
    if (hosts && !hosts.has((request.headers.host ?? '').toLowerCase())) {
      return refuse(reply, 403, `this dashboard answers to ${[...hosts].join(', ')}, not ${shown(request.headers.host)}`, page);
    }
    const { token } = guard;
    if (token !== undefined) {
      const query = request.query as Record<string, unknown>;
      const given = typeof query.token === 'string' ? query.token : undefined;
      if (given !== undefined && request.method === 'GET') {
        if (!sameSecret(given, token)) return refuse(reply, 401, 'wrong token', page);
        // Once: the token leaves the address bar (and the history); the page gets its session's secret in the
        // fragment, which no server sees, and its files a cookie that opens nothing else.
        const session = sessions.open();
        reply.header('set-cookie', `${guard.cookieName()}=${session.pagePass}; HttpOnly; SameSite=Strict; Path=/`);
        return reply.redirect(`${withoutTokenParam(request.url)}#session=${session.secret}`, 303);
      }
      const bearer = bearerToken(request.headers.authorization);
      if (bearer !== undefined) {
        if (!sameSecret(bearer, token) && !sessions.isSecret(bearer)) return refuse(reply, 401, 'wrong token', page);
      } else if (!(page && sessions.isPagePass(cookieValue(request.headers.cookie, guard.cookieName())))) {
        return refuse(reply, 401, 'this dashboard needs its token: open it once with ?token=<token>, or send Authorization: Bearer <token>', page);
      }
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const origin = request.headers.origin;
      if (origin !== undefined && origin !== `http://${request.headers.host}` && origin !== `https://${request.headers.host}`) {
        return refuse(reply, 403, `a request from ${shown(origin)} cannot act here`, page);
      }
      const site = request.headers['sec-fetch-site'];
      if (site !== undefined && site !== 'same-origin' && site !== 'none') return refuse(reply, 403, `a ${shown(String(site))} request cannot act here`, page);
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !sameSecret(sent, guard.csrf)) return refuse(reply, 403, `missing or wrong ${CSRF_HEADER} header (the page's CSRF token, from GET /api/session)`, page);
    }
  });
}
