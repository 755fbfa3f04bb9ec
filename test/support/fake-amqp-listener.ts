import { createServer, type Server, type Socket } from 'node:net';

/**
 * A stand-in for a broker on a host nobody configured (another loopback address): it records whether
 * anything connects and every byte it receives. It answers the AMQP protocol header with Connection.Start,
 * so a client that goes on would log in — and its user and password would arrive here.
 */
export class FakeAmqpListener {
  connections = 0;
  private readonly chunks: Buffer[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;

  private constructor(
    readonly host: string,
    server: Server,
  ) {
    this.server = server;
  }

  static async listen(host = '127.0.0.2'): Promise<FakeAmqpListener> {
    let self: FakeAmqpListener | undefined;
    const server = createServer((socket) => self!.accept(socket));
    self = new FakeAmqpListener(host, server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, resolve);
    });
    return self;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  /** Everything received, from every connection, as latin1 text (AMQP frames carry credentials as plain bytes). */
  get received(): string {
    return Buffer.concat(this.chunks).toString('latin1');
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    this.connections++;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let greeted = false;
    socket.on('data', (data: Buffer) => {
      this.chunks.push(data);
      if (!greeted && data.subarray(0, 4).toString('latin1') === 'AMQP') {
        greeted = true;
        socket.write(connectionStart());
      }
    });
  }
}

/** AMQP 0-9-1 Connection.Start (class 10, method 10) on channel 0, offering PLAIN. */
function connectionStart(): Buffer {
  const longstr = (s: string): Buffer => {
    const b = Buffer.from(s, 'latin1');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const payload = Buffer.concat([
    Buffer.from([0, 10, 0, 10, 0, 9]), // class, method, version 0-9
    Buffer.from([0, 0, 0, 0]), // server-properties: an empty table
    longstr('PLAIN AMQPLAIN'),
    longstr('en_US'),
  ]);
  const header = Buffer.alloc(7);
  header.writeUInt8(1, 0); // a method frame
  header.writeUInt16BE(0, 1); // channel 0
  header.writeUInt32BE(payload.length, 3);
  return Buffer.concat([header, payload, Buffer.from([0xce])]);
}
