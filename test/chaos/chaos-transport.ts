import type { PostgresStore } from '../../src/stores/postgres/index.js';
import type { IQueueFactory } from '../../src/transport/queue.js';
import { RabbitMqQueueFactory } from '../../src/transports/rabbitmq/index.js';
import type { ChaosConfig } from './chaos-messages.js';

/** A chaos process's queues: the broker (a factory of its own, closed with it), or the store's queue tables. */
export function chaosTransport(cfg: ChaosConfig, store: PostgresStore): { readonly factory: IQueueFactory; close(): Promise<void> } {
  if (cfg.transport === 'postgres') return { factory: store.queues, close: async () => undefined };
  const rabbit = new RabbitMqQueueFactory({ outageTimeoutMs: 60_000, maxReconnectDelayMs: 1000 });
  return { factory: rabbit, close: () => rabbit.close() };
}
