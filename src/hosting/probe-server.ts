import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigurationError } from '../index.js';
import type { HealthReport } from './health-report.js';

/** Where the probe server listens. */
export interface ProbeServerOptions {
  /** TCP port; 0 takes a free one (see EndpointHost.probeAddress). */
  readonly port: number;
  /** Interface to bind (default 127.0.0.1: loopback only). In a container, '0.0.0.0' lets the kubelet reach it. */
  readonly host?: string;
}

/** What the server answers from: liveness is cheap (no I/O), readiness asks the dependencies. */
export interface ProbeSource {
  liveness(): HealthReport;
  health(): Promise<HealthReport>;
}

/**
 * `GET /healthz` (liveness) and `GET /readyz` (readiness): 200 when live/ready, else 503, with the checks as
 * JSON. Nothing else: any other path is 404, any other method 405. It reads no request body and answers
 * each probe from the report alone, so a request cannot make it do more than run the checks.
 */
export async function startProbeServer(options: ProbeServerOptions, source: ProbeSource): Promise<{ server: Server; address: AddressInfo }> {
  const { port, host = '127.0.0.1' } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigurationError('http.port', `must be an integer from 0 to 65535 (got ${String(port)})`, { hint: 'give the port the probes call, e.g. { http: { port: 8080 } }, or 0 for any free one' });
  }
  const server = createServer((req, res) => void answer(req, res, source));
  // A probe that hangs up mid-request is not the host's problem; one that dawdles is cut off.
  server.on('clientError', (_error, socket) => socket.destroy());
  server.headersTimeout = 5000;
  server.requestTimeout = 10_000;
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new ConfigurationError('http', `cannot listen on ${host}:${port}: ${error.code ?? error.message}`, { hint: 'choose another port or host, or stop what holds this one', cause: error })),
    );
    server.listen(port, host, () => resolve());
  });
  return { server, address: server.address() as AddressInfo };
}

/** Stops listening; a probe being answered gets a second to finish, idle keep-alive sockets are closed now. */
export function closeProbeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 1000).unref();
  });
}

async function answer(req: IncomingMessage, res: ServerResponse, source: ProbeSource): Promise<void> {
  const path = (req.url ?? '').split('?')[0];
  if (path !== '/healthz' && path !== '/readyz') return send(res, 404, { status: 'not found' }, req.method === 'HEAD');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, { status: 'method not allowed' }, false);
  }
  try {
    const report = path === '/healthz' ? source.liveness() : await source.health();
    const ok = path === '/healthz' ? report.live : report.ready;
    send(res, ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', live: report.live, ready: report.ready, checks: report.checks }, req.method === 'HEAD');
  } catch {
    send(res, 503, { status: 'unavailable' }, req.method === 'HEAD');
  }
}

function send(res: ServerResponse, status: number, body: object, headOnly: boolean): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(headOnly ? undefined : text);
}
