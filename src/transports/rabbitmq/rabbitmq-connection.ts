import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import { BrokerUnavailableError } from './rabbitmq-errors.js';

export interface RabbitMqConnectionOptions {
  /** Passed to amqplib's socket (TLS: ca, cert, key, servername, …). */
  readonly socketOptions?: Record<string, unknown>;
  /** Attempts to connect before the first operation fails (default 5, with back-off). */
  readonly connectAttempts?: number;
  /** First reconnect delay (ms, default 100), doubled (jittered) up to `maxReconnectDelayMs` (default 5000). */
  readonly reconnectDelayMs?: number;
  readonly maxReconnectDelayMs?: number;
  /** How long an operation waits for a lost connection to come back before failing (ms, default 30 s). */
  readonly outageTimeoutMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One AMQP connection to one broker URL, shared by the queues a factory creates. It reconnects by itself
 * after a loss (broker restart, network cut) with jittered exponential back-off; `generation` counts
 * connections, so a channel (and any delivery on it) from an older generation is known to be dead.
 * Operations during an outage wait for the reconnect up to `outageTimeoutMs`, then fail with
 * BrokerUnavailableError: they never hang forever and never pretend to succeed.
 */
export class RabbitMqConnection {
  generation = 0;
  private model: ChannelModel | null = null;
  private connecting: Promise<ChannelModel> | null = null;
  private confirm: { channel: ConfirmChannel; generation: number } | null = null;
  private confirmOpening: Promise<ConfirmChannel> | null = null;
  /** Queues declared on the current connection (declaration is per connection, so reset on reconnect). */
  readonly declared = new Set<string>();
  private closed = false;

  constructor(
    private readonly url: string,
    readonly safeUrl: string,
    private readonly options: RabbitMqConnectionOptions = {},
  ) {}

  /** The live connection, waiting for a (re)connect when there is none. */
  async get(): Promise<ChannelModel> {
    if (this.model) return this.model;
    if (this.closed) throw new BrokerUnavailableError(`connection to ${this.safeUrl} is closed`);
    if (!this.connecting) {
      // First use, or the background reconnect gave up: a bounded attempt now.
      this.connecting = this.connectLoop(this.options.connectAttempts ?? 5);
    }
    const timeout = this.options.outageTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.connecting,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new BrokerUnavailableError(`no connection to ${this.safeUrl} within ${timeout} ms`)), timeout);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The confirm channel publishes go through (one per connection). */
  async confirmChannel(): Promise<ConfirmChannel> {
    const model = await this.get();
    if (this.confirm && this.confirm.generation === this.generation) return this.confirm.channel;
    this.confirmOpening ??= (async () => {
      const generation = this.generation;
      const channel = await model.createConfirmChannel();
      channel.on('error', () => {
        // A channel error (e.g. a failed declaration) closes it; 'close' below forgets it.
      });
      channel.on('close', () => {
        if (this.confirm?.channel === channel) this.confirm = null;
      });
      this.confirm = { channel, generation };
      return channel;
    })().finally(() => {
      this.confirmOpening = null;
    });
    return this.confirmOpening;
  }

  async close(): Promise<void> {
    this.closed = true;
    const model = this.model;
    this.model = null;
    await model?.close().catch(() => undefined);
  }

  private async connectLoop(attempts: number): Promise<ChannelModel> {
    let delay = this.options.reconnectDelayMs ?? 100;
    const max = this.options.maxReconnectDelayMs ?? 5000;
    for (let attempt = 1; ; attempt++) {
      try {
        const model = await amqp.connect(this.url, this.options.socketOptions ?? {});
        if (this.closed) {
          await model.close().catch(() => undefined);
          throw new BrokerUnavailableError(`connection to ${this.safeUrl} is closed`);
        }
        this.attach(model);
        return model;
      } catch (error) {
        if (this.closed || attempt >= attempts) {
          this.connecting = null;
          throw error instanceof BrokerUnavailableError
            ? error
            : new BrokerUnavailableError(`cannot connect to ${this.safeUrl} after ${attempt} attempt(s): ${(error as Error).message}`, { cause: error });
        }
        await sleep(delay * (0.8 + Math.random() * 0.4));
        delay = Math.min(delay * 2, max);
      }
    }
  }

  private attach(model: ChannelModel): void {
    this.model = model;
    this.connecting = null;
    this.generation++;
    this.declared.clear();
    model.on('error', () => {
      // Followed by 'close', which reconnects.
    });
    model.on('close', () => {
      if (this.model !== model) return;
      this.model = null;
      this.confirm = null;
      this.declared.clear();
      // Reconnect in the background for as long as the connection is wanted.
      if (!this.closed) this.connecting = this.connectLoop(Number.POSITIVE_INFINITY);
      this.connecting?.catch(() => undefined);
    });
  }
}
