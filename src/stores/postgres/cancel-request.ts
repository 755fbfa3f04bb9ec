import { connect } from 'node:net';

/** The CancelRequest code of the PostgreSQL protocol (1234 in the high 16 bits, 5678 in the low). */
const CANCEL_REQUEST_CODE = 80877102;
/** Give up on an unreachable server or pooler after this long: a cancel is best effort. */
const CANCEL_TIMEOUT_MS = 5000;

/**
 * Asks the server (or the pooler in front of it) to cancel whatever runs on the session that gave this
 * process id and secret key at login: a new connection carrying one 16-byte message, which the server
 * answers by closing it (resolves then, or after CANCEL_TIMEOUT_MS). Through a transaction pooler this reaches the server session the client's
 * transaction runs on, where `pg_cancel_backend(pid)` could not (the pid the client knows is the pooler's).
 */
export function sendCancelRequest(host: string, port: number, processID: number, secretKey: number): Promise<void> {
  const message = Buffer.alloc(16);
  message.writeInt32BE(16, 0);
  message.writeInt32BE(CANCEL_REQUEST_CODE, 4);
  message.writeInt32BE(processID, 8);
  message.writeInt32BE(secretKey, 12);
  return new Promise((resolve) => {
    const socket = host.startsWith('/') ? connect(`${host}/.s.PGSQL.${port}`) : connect(port, host);
    const done = (): void => {
      socket.destroy();
      resolve();
    };
    socket.setTimeout(CANCEL_TIMEOUT_MS, done);
    // Written, not ended: the server (or pooler) closes the connection once it has acted on the request;
    // a pooler that sees the client leave first (PgBouncer 1.18) drops the cancel it was forwarding.
    socket.on('connect', () => socket.write(message));
    socket.on('close', done);
    socket.on('error', done);
  });
}
