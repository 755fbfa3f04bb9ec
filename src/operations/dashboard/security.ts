import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The header the page sends its CSRF token in, on every action (POST). */
export const CSRF_HEADER = 'x-oncebus-csrf';

/**
 * The page's Content-Security-Policy: scripts and styles from the dashboard itself only (no inline script,
 * no eval), no frames, no form posts elsewhere, and Trusted Types required, so that even a mistaken
 * `innerHTML = data` in the page throws instead of parsing markup.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

/** Headers on every response, the page's and the API's. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

/** 127.0.0.0/8, ::1 and localhost: the hosts a dashboard may bind without a token. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Compares a secret in constant time (over digests, so lengths leak nothing either). */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** A fresh random token (the per-process CSRF token). */
export const randomToken = (): string => randomBytes(32).toString('base64url');

/** One cookie's value from a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

/**
 * Where a `?token=` visit is sent once its cookie is set: the same page, without the token. Relative (`./x`),
 * so it stays on this origin (a path like `//elsewhere` cannot turn it into another site) and behind a
 * proxy that serves the dashboard under a prefix.
 */
export function withoutTokenParam(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  params.delete('token');
  const rest = params.toString();
  return `./${path.slice(path.lastIndexOf('/') + 1)}${rest ? `?${rest}` : ''}`;
}

/** The Host values a loopback dashboard answers to (a DNS-rebinding page names its own host). */
export function loopbackHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
}
