// What the HTTP crash harness (main.ts) hands its processes: where the run's tables and queue are.
import { messageType } from '../../../src/messages/message-type.js';
import type { IQueueFactory } from '../../../src/transport/queue.js';
import { RabbitMqQueueFactory } from '../../../src/transports/rabbitmq/index.js';

export interface HttpChaosConfig {
  readonly pgUrl: string;
  /** The run's PostgreSQL schema: oncebus's tables (http_keys, sessions, queue tables) and the business ones. */
  readonly schema: string;
  /** Prefix of the run's queue names. */
  readonly prefix: string;
  /**
   * Where PlaceOrder travels: RabbitMQ (the session stores it with the commit and dispatches it after: the path
   * where a kill leaves a committed send owed to the sweeper), or a queue table of the run's schema (the send
   * is a row in the route's own transaction).
   */
  readonly transport: 'rabbitmq' | 'postgres';
  readonly rabbitUrl: string;
  /** The key lease of the API's route: short, so keys of a killed API process are taken over within the run. */
  readonly leaseMs: number;
}

/** The run's config, from the environment of a child process. */
export const childConfig = (): HttpChaosConfig => JSON.parse(process.env.HTTP_CHAOS_CONFIG ?? '{}') as HttpChaosConfig;

/** The command the API's route sends in its session; the downstream endpoint handles it. */
@messageType('httpchaos.PlaceOrder')
export class PlaceOrder {
  constructor(
    public key = '',
    public orderId = '',
  ) {}
}

/** The queue table the downstream endpoint receives PlaceOrder from. */
export function ordersQueue(cfg: HttpChaosConfig, name = 'place-order'): string {
  if (cfg.transport === 'postgres') return `postgres://default/${cfg.prefix}-${name}`;
  const u = new URL(cfg.rabbitUrl);
  return `rabbitmq://${u.username}:${u.password}@${u.host}/${cfg.prefix}-${name}`;
}

/** A process's queues: the broker (a factory of its own, closed with it), or the store's queue tables. */
export function httpChaosQueues(cfg: HttpChaosConfig, queueTables: IQueueFactory): { readonly factory: IQueueFactory; close(): Promise<void> } {
  if (cfg.transport === 'postgres') return { factory: queueTables, close: async () => undefined };
  const rabbit = new RabbitMqQueueFactory({ outageTimeoutMs: 60_000, maxReconnectDelayMs: 1000 });
  return { factory: rabbit, close: () => rabbit.close() };
}

/** The business tables; neither has a unique key on `key`, so a second order or effect of one key shows up in the audit. */
export function businessTables(schema: string): string[] {
  return [
    `CREATE TABLE ${schema}.orders (order_id text NOT NULL, key text NOT NULL, session_id text NOT NULL)`,
    `CREATE TABLE ${schema}.effects (key text NOT NULL, order_id text NOT NULL, message_id text NOT NULL)`,
  ];
}
