import { EventEmitter } from 'node:events';
import type { Channel, ChannelModel } from 'amqplib';
import { requireDriver } from '../../drivers/require-driver.js';
import { BackOff, pause } from './back-off.js';
import { BrokerAccessRefusedError, BrokerUnavailableError } from './rabbitmq-errors.js';

/** amqplib, loaded when oncebus/rabbitmq is imported (an optional peer dependency). */
const amqp = requireDriver<typeof import('amqplib')>('amqplib', 'oncebus/rabbitmq');

export interface RabbitMqConnectionOptions {
  /** The user to connect as when a queue URI names none (default: RabbitMQ's guest). */
  readonly username?: string;
  readonly password?: string;
  /** Passed to amqplib's socket as is (TLS: ca, cert, key, passphrase, servername, …). */
  readonly socketOptions?: Record<string, unknown>;
  /** Attempts to connect (to each node of a host list), with back-off, before an operation fails while never connected (default 5). */
  readonly connectAttempts?: number;
  /** First reconnect delay (ms, default 100), doubled and jittered up to `maxReconnectDelayMs` (default 5000). */
  readonly reconnectDelayMs?: number;
  readonly maxReconnectDelayMs?: number;
  /** How long a send (or declaration) waits for a lost connection to come back before failing (ms, default 30 s). */
  readonly outageTimeoutMs?: number;
  /** Shown in the broker's connection list (default `oncebus`). */
  readonly connectionName?: string;
}

export interface RabbitMqConnectionEvents {
  /** A connection was (re)established; `generation` counts connections since the factory was made. */
  connected: [info: { broker: string; generation: number }];
  /** The connection was lost; reconnecting in the background. */
  disconnected: [info: { broker: string; generation: number; reason: string }];
}

/** A live connection and its number: anything made on an older generation is dead. */
export interface LiveConnection {
  readonly model: ChannelModel;
  readonly generation: number;
}

/**
 * One AMQP connection to one broker (or to one node of a cluster's host list, the others tried in turn), shared by the queues a factory creates. Invariants:
 * - while not closed, a lost connection is re-established in the background with jittered, bounded
 *   back-off, for as long as it takes; each success is a new `generation` and emits 'connected', which
 *   consumers use as their `setup` callback (re-declare, re-consume);
 * - before the first success, an operation starts a bounded attempt (`connectAttempts`) and fails with
 *   BrokerUnavailableError naming the URL, password masked;
 * - `get(deadline)` never waits past its deadline: operations during an outage fail typed, never hang.
 */
export class RabbitMqConnection extends EventEmitter<RabbitMqConnectionEvents> {
  private live: LiveConnection | null = null;
  private generationCount = 0;
  private connecting: Promise<LiveConnection> | null = null;
  private readonly closing = new AbortController();
  /** Queues declared on the current generation (a declaration is per connection; a restart may lose them). */
  private readonly declared = new Set<string>();
  private blockedReason = '';

  readonly outageTimeoutMs: number;

  /** The node connected last (index in `urls`): a reconnect tries the next one first, as it may be the node that died. */
  private lastNode = 0;

  constructor(
    private readonly urls: readonly string[],
    readonly safeUrl: string,
    private readonly options: RabbitMqConnectionOptions = {},
  ) {
    super();
    // Every consumer of every queue on this connection listens for 'connected' (to resume): an endpoint
    // with a work, deferred and error queue per endpoint easily passes Node's default warning at 10.
    this.setMaxListeners(0);
    this.outageTimeoutMs = options.outageTimeoutMs ?? 30_000;
  }

  /** Whether a connection is up now (false before the first connect, during a reconnect, after close). */
  get isConnected(): boolean {
    return this.live !== null;
  }

  get isClosed(): boolean {
    return this.closing.signal.aborted;
  }

  /** The live connection, waiting for a (re)connect until `deadline` (epoch ms). */
  async get(deadline = Date.now() + this.outageTimeoutMs): Promise<LiveConnection> {
    if (this.live) return this.live;
    if (this.isClosed) throw new BrokerUnavailableError('closed', `the connection to ${this.safeUrl} is closed`);
    // Never connected yet, or the last bounded attempt gave up: a bounded attempt now.
    this.connecting ??= this.connectLoop(this.options.connectAttempts ?? 5);
    const wait = Math.max(0, deadline - Date.now());
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.connecting,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new BrokerUnavailableError('timeout', `no connection to ${this.safeUrl} within ${wait} ms${this.blockedReason}`)), wait);
          // The reconnect loop keeps the process alive while it is wanted; this deadline alone must not.
          timer.unref();
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs `use` on a short-lived channel of its own: a channel error it causes (a 406) closes only that channel. */
  async withChannel<T>(use: (channel: Channel) => Promise<T>, deadline?: number): Promise<T> {
    const { model } = await this.get(deadline);
    const channel = await model.createChannel().catch((cause: unknown) => {
      throw new BrokerUnavailableError('lost', `cannot open a channel on ${this.safeUrl}: ${String(cause)}`, { cause });
    });
    channel.on('error', () => undefined); // surfaced by the rejected operation itself
    try {
      return await use(channel);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  isDeclared(key: string, generation: number): boolean {
    return this.live?.generation === generation && this.declared.has(key);
  }

  markDeclared(key: string, generation: number): void {
    if (this.live?.generation === generation) this.declared.add(key);
  }

  forgetDeclared(prefix: string): void {
    for (const key of this.declared) if (key.startsWith(prefix)) this.declared.delete(key);
  }

  async close(): Promise<void> {
    this.closing.abort();
    const live = this.live;
    this.live = null;
    await live?.model.close().catch(() => undefined);
  }

  private async connectLoop(attempts: number): Promise<LiveConnection> {
    const backOff = new BackOff(this.options.reconnectDelayMs ?? 100, this.options.maxReconnectDelayMs ?? 5000);
    const socketOptions = {
      // Small frames (acks, confirms, publishes) go out at once, not held back by Nagle's algorithm.
      noDelay: true,
      ...this.options.socketOptions,
      clientProperties: { connection_name: this.options.connectionName ?? 'oncebus' },
    };
    // A cluster's nodes in turn, from the one after the last connected; the back-off applies once every
    // node was tried (a dead node refuses at once, a surviving one should not wait for it).
    const nodes = this.urls.length;
    const firstNode = this.generationCount === 0 ? 0 : (this.lastNode + 1) % nodes;
    for (let attempt = 1; ; attempt++) {
      const node = (firstNode + attempt - 1) % nodes;
      try {
        const model = await amqp.connect(this.urls[node]!, socketOptions);
        if (this.isClosed) {
          await model.close().catch(() => undefined);
          throw new BrokerUnavailableError('closed', `the connection to ${this.safeUrl} is closed`);
        }
        this.lastNode = node;
        return this.attach(model);
      } catch (error) {
        const refused = attempts === Number.POSITIVE_INFINITY ? null : accessRefused(error, this.safeUrl);
        if (refused) {
          // The broker answered "no": a configuration error, not an outage (a background reconnect still
          // tries on, as the broker's users may be fixed while the bus runs).
          this.connecting = null;
          throw refused;
        }
        if (this.isClosed || attempt >= attempts * nodes) {
          this.connecting = null;
          if (error instanceof BrokerUnavailableError) throw error;
          throw new BrokerUnavailableError('unreachable', `cannot connect to ${this.safeUrl} after ${attempt} attempt(s): ${(error as Error).message}`, { cause: error });
        }
        if (attempt % nodes === 0) await pause(backOff.delay(), this.closing.signal);
      }
    }
  }

  private attach(model: ChannelModel): LiveConnection {
    const live = { model, generation: ++this.generationCount };
    this.live = live;
    this.connecting = null;
    this.declared.clear();
    this.blockedReason = '';
    model.on('error', () => undefined); // always followed by 'close'
    // A broker under a resource alarm blocks publishers: confirms stop coming, so say why in the timeout.
    model.on('blocked', (reason: string) => (this.blockedReason = ` (the broker blocked publishing: ${reason})`));
    model.on('unblocked', () => (this.blockedReason = ''));
    model.on('close', (error?: Error) => {
      if (this.live !== live) return;
      this.live = null;
      this.declared.clear();
      if (this.isClosed) return;
      this.emit('disconnected', { broker: this.safeUrl, generation: live.generation, reason: error ? error.message : 'closed by the broker' });
      this.connecting = this.connectLoop(Number.POSITIVE_INFINITY);
      // Ends only by close(); get() callers await the same promise and see its outcome.
      this.connecting.catch(() => undefined);
    });
    this.emit('connected', { broker: this.safeUrl, generation: live.generation });
    return live;
  }
}

/**
 * The broker's refusal of the login or of the virtual host, from amqplib's error (it keeps no code: the
 * handshake's 403 is in its text, a vhost refused is a ConnectionClose where ConnectionOpenOk was due).
 */
function accessRefused(error: unknown, safeUrl: string): BrokerAccessRefusedError | null {
  const text = error instanceof Error ? error.message : String(error);
  if (/ACCESS[-_]REFUSED/.test(text)) return new BrokerAccessRefusedError('login', `${safeUrl} refused the login: ${text}`, { cause: error });
  if (/Expected ConnectionOpenOk; got <ConnectionClose/.test(text)) {
    return new BrokerAccessRefusedError('vhost', `${safeUrl} refused to open the virtual host (missing, or not open to this user): ${text}`, { cause: error });
  }
  return null;
}
