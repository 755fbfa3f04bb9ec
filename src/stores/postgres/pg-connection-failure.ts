/** SQLSTATEs of the connection going away: class 08 (connection exception) and the server shutting down. */
const SHUTDOWN = new Set(['57P01', '57P02', '57P03']);
/**
 * Class 53, the server short of a resource every session shares: 53300 too_many_connections (also the
 * reserved-slot and per-role/per-database limits, same SQLSTATE) refuses a connection while others hold
 * theirs; 53000 insufficient_resources, 53100 disk_full and 53200 out_of_memory fail whichever statement
 * meets them. None is the message's fault, so counting them poisoned messages into the error queue under
 * connection starvation or a full disk; released uncounted, the bus backs off until the server recovers, and
 * a message that alone keeps failing this way (a statement too big for the memory) still reaches the error
 * queue by the infrastructure-failure limit. Not 53400 configuration_limit_exceeded (temp_file_limit, too
 * many columns): a limit the statement itself passes, the same on every run. Not 57P04 database_dropped
 * either: raised only on a hot standby whose database the primary dropped, which no retry brings back.
 */
const RESOURCES = new Set(['53000', '53100', '53200', '53300']);
/** Node's socket errors: the connection broke or never came. */
const SOCKET = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Whether an error node-postgres raised is the connection failing — the server restarted or terminated the
 * backend (57P01), the socket broke, the client was ended, the server has no connection or resource to spare
 * (53300) — rather than the statement (a constraint, a bad value, a syntax error, which fail the same way
 * every time).
 */
export function isPgConnectionFailure(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (code.startsWith('08') || SHUTDOWN.has(code) || RESOURCES.has(code) || SOCKET.has(code))) return true;
  return typeof message === 'string' && /Connection terminated|not queryable|Client was closed/i.test(message);
}
