import type { AddressInfo } from 'node:net';
import rhea, { type Connection, type Delivery, type EventContext, type Message, type Sender } from 'rhea';
import { Entity, type EntityOptions, Topic } from './entities.js';
import { lockTokenToTag, tagToLockToken } from './lock-token.js';
import { handleManagement } from './management.js';
import { BATCH_FORMAT, toWire, unbatch } from './wire.js';

/** rhea's outcome constructors, which its typings leave out. */
const outcomes = rhea.message as unknown as Record<'accepted' | 'released' | 'rejected' | 'modified', (o?: unknown) => { described(): unknown }>;

const MAX_MESSAGE_SIZE = 1024 * 1024;

interface Consumer {
  readonly sender: Sender;
  readonly entity: Entity;
  readonly peekLock: boolean;
}

/**
 * A small AMQP 1.0 broker that the real @azure/service-bus client talks to (UseDevelopmentEmulator=true),
 * for tests: queues, topics with subscriptions, peek-lock and receive-and-delete, complete / abandon /
 * dead-letter, lock expiry and renewal, max delivery count, scheduled messages, CBS tokens, not-found
 * errors, and fault hooks. What it does not support it refuses with an AMQP error naming the operation.
 */
export class AsbTestBroker {
  readonly queues = new Map<string, Entity>();
  readonly topics = new Map<string, Topic>();
  private readonly consumers = new Set<Consumer>();
  private readonly replyLinks = new Map<string, Sender>();
  private readonly connections = new Set<Connection>();
  private readonly deliveries = new WeakMap<Delivery, { entity: Entity; token: string }>();
  private sequence = 0;
  private server: ReturnType<ReturnType<typeof rhea.create_container>['listen']> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Fault hook: settlements wait this long before the broker answers them. */
  settlementDelayMs = 0;
  port = 0;

  createQueue(name: string, options?: EntityOptions): Entity {
    const q = new Entity(name, () => ++this.sequence, options);
    q.onAvailable = () => this.pumpAll();
    this.queues.set(name.toLowerCase(), q);
    return q;
  }

  createTopic(name: string, subscriptions: string[], options?: EntityOptions): Topic {
    const t = new Topic(name);
    for (const s of subscriptions) {
      const e = new Entity(`${name}/Subscriptions/${s}`, () => ++this.sequence, options);
      e.onAvailable = () => this.pumpAll();
      t.subscriptions.set(s.toLowerCase(), e);
    }
    this.topics.set(name.toLowerCase(), t);
    return t;
  }

  get connectionString(): string {
    return `Endpoint=sb://127.0.0.1:${this.port};SharedAccessKeyName=test;SharedAccessKey=dGVzdA==;UseDevelopmentEmulator=true`;
  }

  async start(): Promise<void> {
    const container = rhea.create_container({ id: 'asb-test-broker', treat_modified_as_released: false } as never);
    container.on('connection_open', (ctx: EventContext) => {
      this.connections.add(ctx.connection);
      // Nagle off: each request/response would otherwise stall about 40 ms.
      (ctx.connection as unknown as { socket?: { setNoDelay?: (b: boolean) => void } }).socket?.setNoDelay?.(true);
    });
    container.on('disconnected', (ctx: EventContext) => this.dropConnection(ctx.connection));
    container.on('connection_close', (ctx: EventContext) => this.dropConnection(ctx.connection));
    container.on('sender_open', (ctx: EventContext) => this.onSenderOpen(ctx));
    container.on('receiver_open', (ctx: EventContext) => this.onReceiverOpen(ctx));
    container.on('sender_close', (ctx: EventContext) => this.forgetSender(ctx.sender!));
    container.on('sendable', (ctx: EventContext) => this.pump([...this.consumers].find((c) => c.sender === ctx.sender)));
    container.on('sender_draining', (ctx: EventContext) => this.pump([...this.consumers].find((c) => c.sender === ctx.sender)));
    container.on('message', (ctx: EventContext) => this.onMessage(ctx));
    for (const outcome of ['accepted', 'released', 'rejected', 'modified'] as const) {
      container.on(outcome, (ctx: EventContext) => this.onSettled(ctx, outcome));
    }
    container.on('error', () => undefined);
    this.server = container.listen({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve) => this.server!.once('listening', () => resolve()));
    this.port = (this.server!.address() as AddressInfo).port;
    this.server.on('connection', (socket) => socket.setNoDelay(true));
    this.timer = setInterval(() => this.tick(), 50);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.dropAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Fault hook: cut every client connection (their locks stay until they expire, as on Azure). */
  dropAllConnections(): void {
    for (const c of [...this.connections]) {
      (c as unknown as { socket?: { destroy(): void } }).socket?.destroy();
      this.dropConnection(c);
    }
  }

  /** Fault hook: expire every lock now. */
  expireLocks(): void {
    for (const e of this.allEntities()) e.expireLocks();
  }

  /** Finds a queue, subscription or dead-letter queue by its AMQP address. */
  entity(address: string): Entity | Topic | undefined {
    const path = address.replace(/^sb:\/\/[^/]+\//, '').replace(/^amqps?:\/\/[^/]+\//, '');
    const parts = path.split('/');
    const dlq = parts[parts.length - 1] === '$DeadLetterQueue';
    if (dlq) parts.pop();
    let e: Entity | Topic | undefined;
    if (parts.length === 1) e = this.queues.get(parts[0]!.toLowerCase()) ?? this.topics.get(parts[0]!.toLowerCase());
    else if (parts.length === 3 && parts[1]!.toLowerCase() === 'subscriptions') e = this.topics.get(parts[0]!.toLowerCase())?.subscriptions.get(parts[2]!.toLowerCase());
    if (dlq) return e instanceof Entity ? (e.deadLetter ?? undefined) : undefined;
    return e;
  }

  private allEntities(): Entity[] {
    const all: Entity[] = [];
    for (const q of this.queues.values()) all.push(q, q.deadLetter!);
    for (const t of this.topics.values()) for (const s of t.subscriptions.values()) all.push(s, s.deadLetter!);
    return all;
  }

  private tick(): void {
    const now = Date.now();
    for (const e of this.allEntities()) e.tick(now);
  }

  private dropConnection(c: Connection): void {
    this.connections.delete(c);
    for (const consumer of [...this.consumers]) if (consumer.sender.connection === c) this.consumers.delete(consumer);
    for (const [name, s] of this.replyLinks) if (s.connection === c) this.replyLinks.delete(name);
  }

  private forgetSender(sender: Sender): void {
    for (const c of [...this.consumers]) if (c.sender === sender) this.consumers.delete(c);
  }

  /** The client attached a receiver: we send on this link (a consumer, or a CBS / management reply link). */
  private onSenderOpen(ctx: EventContext): void {
    const sender = ctx.sender!;
    const remote = (sender as unknown as { remote: { attach: { source?: { address?: string }; target?: unknown; snd_settle_mode?: number; rcv_settle_mode?: number; name: string } } }).remote.attach;
    const address = remote.source?.address ?? '';
    const local = (sender as unknown as { local: { attach: Record<string, unknown> } }).local.attach;
    local.source = remote.source;
    local.target = remote.target;
    local.snd_settle_mode = remote.snd_settle_mode;
    local.rcv_settle_mode = remote.rcv_settle_mode;
    local.max_message_size = MAX_MESSAGE_SIZE;
    if (address === '$cbs' || address.endsWith('/$management')) {
      this.replyLinks.set(remote.name, sender);
      this.replyLinks.set(address, sender);
      return;
    }
    const entity = this.entity(address);
    if (!(entity instanceof Entity)) {
      this.notFound(sender, address, entity instanceof Topic ? 'a topic cannot be received from; use a subscription' : undefined);
      return;
    }
    this.consumers.add({ sender, entity, peekLock: remote.snd_settle_mode !== 1 });
  }

  /** The client attached a sender: we receive on this link (messages to an entity, CBS or management requests). */
  private onReceiverOpen(ctx: EventContext): void {
    const receiver = ctx.receiver!;
    const remote = (receiver as unknown as { remote: { attach: { source?: unknown; target?: { address?: string }; snd_settle_mode?: number; rcv_settle_mode?: number } } }).remote.attach;
    const local = (receiver as unknown as { local: { attach: Record<string, unknown> } }).local.attach;
    local.source = remote.source;
    local.target = remote.target;
    local.snd_settle_mode = remote.snd_settle_mode;
    local.rcv_settle_mode = remote.rcv_settle_mode;
    local.max_message_size = MAX_MESSAGE_SIZE;
    const address = remote.target?.address ?? '';
    if (address === '$cbs' || address.endsWith('/$management')) return;
    if (!this.entity(address)) this.notFound(receiver, address);
  }

  private notFound(link: { close(error?: unknown): void }, address: string, why?: string): void {
    link.close({ condition: 'amqp:not-found', description: why ?? `The messaging entity '${address}' could not be found.` });
  }

  private onMessage(ctx: EventContext): void {
    const receiver = ctx.receiver!;
    const address = (receiver as unknown as { remote: { attach: { target?: { address?: string } } } }).remote.attach.target?.address ?? '';
    if (address === '$cbs') {
      this.reply(ctx.message!, 202, 'Accepted', undefined, '$cbs');
      return;
    }
    if (address.endsWith('/$management')) {
      const entity = this.entity(address.slice(0, -'/$management'.length));
      let result: ReturnType<typeof handleManagement>;
      try {
        result = handleManagement(this, entity, ctx.message!);
      } catch (error) {
        result = { status: 500, description: `test broker failed on ${String((ctx.message!.application_properties as Record<string, unknown> | undefined)?.operation)}: ${String(error)}` };
      }
      this.reply(ctx.message!, result.status, result.description, result.body, address);
      return;
    }
    const target = this.entity(address);
    const messages = (ctx as unknown as { format?: number }).format === BATCH_FORMAT ? unbatch(ctx.message as unknown as Buffer) : [ctx.message!];
    for (const m of messages) this.enqueue(target, m);
    ctx.delivery!.accept();
  }

  /** Puts a message on a queue, or a copy on every subscription of a topic. The real service assigns a missing message id. */
  enqueue(target: Entity | Topic | undefined, message: Message, availableAt = 0): number[] {
    if (message.message_id === undefined) message.message_id = `broker-${this.sequence + 1}`;
    if (target instanceof Topic) return [...target.subscriptions.values()].map((s) => s.add({ ...message }, availableAt).sequenceNumber);
    if (target) return [target.add(message, availableAt).sequenceNumber];
    return [];
  }

  private reply(request: Message, status: number, description: string, body: unknown, address: string): void {
    const link = this.replyLinks.get(String(request.reply_to)) ?? this.replyLinks.get(address);
    if (!link) return;
    link.send({
      correlation_id: request.message_id,
      to: request.reply_to,
      application_properties: { statusCode: status, 'status-code': status, statusDescription: description, 'status-description': description },
      body,
    });
  }

  pumpAll(): void {
    for (const c of this.consumers) this.pump(c);
  }

  private pump(consumer: Consumer | undefined): void {
    if (!consumer) return;
    const { sender, entity, peekLock } = consumer;
    while (sender.sendable() && entity.ready.length > 0) {
      if (peekLock) {
        const lock = entity.lockNext()!;
        const delivery = sender.send(toWire(lock.stored, lock), lockTokenToTag(lock.token));
        this.deliveries.set(delivery, { entity, token: lock.token });
      } else {
        const stored = entity.takeNext()!;
        const delivery = sender.send(toWire(stored));
        delivery.update(true);
      }
    }
    // The SDK ends every receiveMessages with a drain and waits for it to be answered.
    if ((sender as unknown as { _draining?: boolean })._draining) sender.set_drained(true);
  }

  private onSettled(ctx: EventContext, outcome: 'accepted' | 'released' | 'rejected' | 'modified'): void {
    const delivery = ctx.delivery!;
    const known = this.deliveries.get(delivery) ?? lookup(this, delivery);
    const answer = (): void => {
      if (!known || !known.entity.locks.has(known.token)) {
        delivery.update(true, outcomes.rejected({ error: { condition: 'com.microsoft:message-lock-lost', description: 'The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.' } }).described());
        return;
      }
      // rhea hands the client's outcome over already decoded: { error: { condition, info } }, { undeliverable_here }, …
      const state = (delivery as unknown as { remote_state?: Record<string, unknown> }).remote_state;
      switch (outcome) {
        case 'accepted':
          known.entity.complete(known.token);
          delivery.update(true, outcomes.accepted().described());
          return;
        case 'released':
          known.entity.abandon(known.token);
          delivery.update(true, outcomes.released().described());
          return;
        case 'modified': {
          const undeliverable = state?.undeliverable_here === true;
          if (undeliverable) {
            delivery.update(true, outcomes.rejected({ error: { condition: 'amqp:not-implemented', description: 'defer is not supported by the test broker' } }).described());
            return;
          }
          known.entity.abandon(known.token);
          delivery.update(true, outcomes.modified({ undeliverable_here: false }).described());
          return;
        }
        case 'rejected': {
          const info = ((state as { error?: { info?: Record<string, string> } } | undefined)?.error?.info ?? {}) as Record<string, string>;
          known.entity.deadLetterLocked(known.token, info.DeadLetterReason ?? 'rejected', info.DeadLetterErrorDescription ?? '');
          delivery.update(true, outcomes.rejected().described());
        }
      }
    };
    if (this.settlementDelayMs > 0) setTimeout(answer, this.settlementDelayMs);
    else answer();
  }
}

function lookup(broker: AsbTestBroker, delivery: Delivery): { entity: Entity; token: string } | undefined {
  const tag = (delivery as unknown as { tag?: Buffer }).tag;
  if (!tag || tag.length !== 16) return undefined;
  const token = tagToLockToken(tag);
  for (const e of broker.queues.values()) if (e.locks.has(token)) return { entity: e, token };
  return undefined;
}
