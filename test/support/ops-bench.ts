// A bench for the operations tools under hostile input: an endpoint's SQLite file with an error queue that
// a test fills with failed messages as an attacker would forge them (any type, headers, body, failures),
// an operations store beside it, and the CLI run in this process.
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyTransportMessage, type TransportMessage } from '../../src/envelope/transport-message.js';
import { deserializeTransportMessage, serializeTransportMessage } from '../../src/envelope/wire-format.js';
import { run } from '../../src/operations/cli/main.js';
import { type IQueue, isCreateQueue } from '../../src/transport/queue.js';
import { openSqliteStore } from './sql-subjects.js';

export interface CliResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs `npx oncebus …` in this process; resolves to its exit code and what it wrote. */
export async function cli(...args: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(['node', 'oncebus', ...args], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

export interface OpsBench {
  /** `--transport` of the endpoint's file. */
  readonly transport: string;
  /** `--store` (and `--schema`) of the operations store. */
  readonly ops: readonly string[];
  readonly errorQueue: string;
  /** The queue failed messages name as their source, unless a test says otherwise. */
  readonly sourceQueue: string;
  /** Puts a failed message into the error queue, as an endpoint would (or an attacker could); resolves to it. */
  forge(over?: Partial<TransportMessage>): Promise<TransportMessage>;
  /** `npx oncebus errors <args>` on the operations store. */
  errors(...args: string[]): Promise<CliResult>;
  /** `npx oncebus errors ingest` of the error queue, once. */
  ingest(): Promise<CliResult>;
  /** The envelopes waiting in the source queue (taken and acknowledged). */
  drainSource(): Promise<TransportMessage[]>;
  dispose(): Promise<void>;
}

/** `ops`: the operations store's flags (default a SQLite file of the bench's own). */
export async function openOpsBench(options: { readonly ops?: readonly string[] } = {}): Promise<OpsBench> {
  const endpoint = openSqliteStore();
  const dir = mkdtempSync(join(tmpdir(), 'oncebus-ops-bench-'));
  const errorQueue = 'sqlite://default/hostile-error';
  const sourceQueue = 'sqlite://default/hostile';
  const queues: IQueue[] = [];
  for (const uri of [errorQueue, sourceQueue]) {
    const queue = endpoint.queues.create(uri);
    if (isCreateQueue(queue)) await queue.create();
    queues.push(queue);
  }
  const [error, source] = queues as [IQueue, IQueue];
  const transport = `sqlite:${endpoint.file}`;
  const ops = options.ops ?? ['--store', `sqlite:${join(dir, 'ops.db')}`];
  let forged = 0;
  const bench: OpsBench = {
    transport,
    ops,
    errorQueue,
    sourceQueue,
    async forge(over = {}) {
      const tm: TransportMessage = {
        ...emptyTransportMessage(),
        messageId: `forged-${++forged}`,
        messageType: 'shop.PlaceOrder',
        message: Buffer.from('{"orderId":1}'),
        sendDate: Date.now(),
        failureMessages: ['2026-12-03T10:00:00.000Z shop Error: warehouse offline'],
        ...over,
        headers: { 'oncebus-source-queue': sourceQueue, ...over.headers },
      };
      await error.enqueue(tm, serializeTransportMessage(tm));
      return tm;
    },
    errors: (...args) => cli('errors', ...args, ...ops),
    ingest: () => cli('errors', 'ingest', errorQueue, '--transport', transport, ...ops, '--json'),
    async drainSource() {
      const found: TransportMessage[] = [];
      for (let got = await source.getMessage(); got !== null; got = await source.getMessage()) {
        found.push(deserializeTransportMessage(got.body));
        await source.acknowledge(got.token);
      }
      return found;
    },
    async dispose() {
      for (const queue of queues) await queue.close().catch(() => undefined);
      await endpoint.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return bench;
}

/** A TCP listener that records every connection and closes it at once: a host no credentials may reach. */
export async function connectionRecorder(): Promise<{ readonly port: number; readonly connections: () => number; close(): Promise<void> }> {
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { port, connections: () => connections, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** One HTTP request with full control of its headers, as a script would send it. */
export function http(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...options.headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
