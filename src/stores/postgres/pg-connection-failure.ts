/** SQLSTATEs of the connection going away: class 08 (connection exception) and the server shutting down. */
const SHUTDOWN = new Set(['57P01', '57P02', '57P03']);
/** Node's socket errors: the connection broke or never came. */
const SOCKET = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Whether an error node-postgres raised is the connection failing — the server restarted or terminated the
 * backend (57P01), the socket broke, the client was ended — rather than the statement (a constraint, a bad
 * value, a syntax error, which fail the same way every time).
 */
export function isPgConnectionFailure(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (code.startsWith('08') || SHUTDOWN.has(code) || SOCKET.has(code))) return true;
  return typeof message === 'string' && /Connection terminated|not queryable|Client was closed/i.test(message);
}
