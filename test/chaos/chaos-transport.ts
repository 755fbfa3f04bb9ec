import type { IQueueFactory } from '../../src/transport/queue.js';
import { RabbitMqQueueFactory } from '../../src/transports/rabbitmq/index.js';
import { type ChaosConfig, onQueueTables } from './chaos-messages.js';

/** A chaos process's queues: the broker (a factory of its own, closed with it), or the database's queue tables. */
export function chaosTransport(cfg: ChaosConfig, queueTables: IQueueFactory): { readonly factory: IQueueFactory; close(): Promise<void> } {
  if (onQueueTables(cfg)) return { factory: queueTables, close: async () => undefined };
  const rabbit = new RabbitMqQueueFactory({ outageTimeoutMs: 60_000, maxReconnectDelayMs: 1000 });
  return { factory: rabbit, close: () => rabbit.close() };
}
