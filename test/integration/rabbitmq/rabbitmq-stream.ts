import type { EventEmitter } from 'node:events';
import { emptyTransportMessage, type TransportMessage } from '../../../src/envelope/transport-message.js';
import { OncebusError } from '../../../src/errors/errors.js';
import type { IQueue, ReceivedMessage } from '../../../src/transport/queue.js';
import { type RabbitMqConnectionEvents, RabbitMqQueueFactory } from '../../../src/transports/rabbitmq/index.js';
import { requireService } from '../../support/integration.js';
import { eventually } from '../../support/latch.js';
import { deleteQueues, rabbitAvailable, rabbitUri } from '../../support/rabbitmq.js';

/** Helpers shared by the RabbitMQ transport tests: a message stream with every outcome counted. */

export const envelope = (id: string, extra: Partial<TransportMessage> = {}): TransportMessage =>
  Object.assign(emptyTransportMessage(), { messageId: id, messageType: 'rmq.Test' }, extra);

/** The code of a typed error, or a marker that makes an assertion on codes fail for anything untyped. */
export const codeOf = (error: unknown): string => (OncebusError.is(error) ? error.code : `untyped: ${String(error)}`);

/** What a producer saw: each send resolved (confirmed) or rejected with an error code, then was sent again. */
export interface Produced {
  readonly confirmed: Set<string>;
  readonly rejections: string[];
}

/**
 * Sends `count` messages in order; a rejected send is recorded and sent again (the caller still owns it).
 * `out` fills as it goes, so a test can wait for progress.
 */
export async function produce(q: IQueue, count: number, out: Produced = { confirmed: new Set(), rejections: [] }, prefix = 'm'): Promise<Produced> {
  for (let i = 0; i < count; i++) {
    const id = `${prefix}-${i}`;
    for (;;) {
      try {
        await q.enqueue(envelope(id), Buffer.from(id));
        out.confirmed.add(id);
        break;
      } catch (error) {
        out.rejections.push(codeOf(error));
      }
    }
  }
  return out;
}

/** What a consumer saw. `slowestTakeMs` shows whether getMessage stayed prompt (during outages too). */
export interface Consumed {
  readonly seen: Set<string>;
  readonly settleErrors: string[];
  readonly takeErrors: string[];
  slowestTakeMs: number;
}

/** Takes and acknowledges until `done()` says so or the deadline passes (duplicates allowed: at-least-once). */
export async function consume(q: IQueue, done: (c: Consumed) => boolean, timeoutMs = 45_000): Promise<Consumed> {
  const c: Consumed = { seen: new Set(), settleErrors: [], takeErrors: [], slowestTakeMs: 0 };
  const deadline = Date.now() + timeoutMs;
  while (!done(c) && Date.now() < deadline) {
    const started = Date.now();
    let r: ReceivedMessage | null = null;
    try {
      r = await q.getMessage();
    } catch (error) {
      c.takeErrors.push(codeOf(error));
    }
    c.slowestTakeMs = Math.max(c.slowestTakeMs, Date.now() - started);
    if (!r) continue;
    const body = Buffer.from(r.body).toString();
    try {
      await q.acknowledge(r.token);
      c.seen.add(body);
    } catch (error) {
      // A delivery of a channel that died: refused, and the broker redelivers it.
      c.settleErrors.push(codeOf(error));
    }
  }
  return c;
}

/** Resolves on the next connection event matching `where`, or rejects after `timeoutMs` (a latch, not a sleep). */
export function nextEvent<K extends keyof RabbitMqConnectionEvents>(
  events: EventEmitter<RabbitMqConnectionEvents>,
  name: K,
  timeoutMs = 20_000,
): Promise<RabbitMqConnectionEvents[K][0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      events.off(name, listener as never);
      reject(new Error(`no '${String(name)}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (info: RabbitMqConnectionEvents[K][0]) => {
      clearTimeout(timer);
      resolve(info);
    };
    events.once(name, listener as never);
  });
}

/** The next delivery of `q`, waiting for it (a consumer starts asynchronously). */
export async function takeOne(q: IQueue): Promise<ReceivedMessage> {
  let r: ReceivedMessage | null = null;
  await eventually(async () => (r = await q.getMessage()) !== null, 'a delivery');
  return r!;
}

/**
 * A suite on the real broker: registers its hooks (the broker required, one factory, every queue the suite
 * opened deleted after each test) and opens queues by name, remembering them for the cleanup.
 */
export function onRealBroker(): { readonly factory: RabbitMqQueueFactory; open(name: string, query?: string): IQueue } {
  const names: string[] = [];
  let factory: RabbitMqQueueFactory | undefined;
  before(async function () {
    requireService(this, 'RabbitMQ', await rabbitAvailable());
    factory = new RabbitMqQueueFactory();
  });
  afterEach(() => deleteQueues(names.splice(0)));
  after(() => factory?.close());
  return {
    get factory() {
      return factory!;
    },
    open(name, query = '') {
      if (!names.includes(name)) names.push(name);
      return factory!.create(rabbitUri(name, query));
    },
  };
}
