// A TCP proxy that delays every chunk by a fixed time in each direction: a broker "not on localhost"
// for tests that must hold over a real network's round trips (a consumer's set-up takes several).
import { createServer, type Server, type Socket, connect } from 'node:net';

export interface LatencyProxy {
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
  close(): Promise<void>;
}

/** Forwards 127.0.0.1:<port> to `target`, each chunk `delayMs` late each way, in order. */
export async function startLatencyProxy(target: { host: string; port: number }, delayMs: number): Promise<LatencyProxy> {
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  // Chunks keep their order: each is written when its own timer fires, and timers of equal delay fire in order.
  const pipeLate = (from: Socket, to: Socket) => {
    from.on('data', (chunk) => setTimeout(() => to.writable && to.write(chunk), delayMs));
    from.on('close', () => setTimeout(() => to.destroy(), delayMs));
  };
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    track(client);
    track(upstream);
    pipeLate(client, upstream);
    pipeLate(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP port');
  return {
    port: address.port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
