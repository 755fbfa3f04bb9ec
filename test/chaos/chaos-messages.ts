import { messageType } from '../../src/messages/message-type.js';

@messageType('chaos.Work')
export class Work {
  constructor(
    public n = 0,
    public failFirst = false,
    public poison = false,
  ) {}
}

@messageType('chaos.FollowUp')
export class FollowUp {
  constructor(public n = 0) {}
}

/**
 * The event's type name, one per run: on RabbitMQ a type's exchange is shared by everyone on the broker, and
 * two runs at once must not get each other's events.
 */
export const shippedType = (prefix: string): string => `chaos.Shipped.${prefix}`;

/** Published by the work handler after its follow-up: every subscriber must get it exactly once. */
@messageType(shippedType((JSON.parse(process.env.CHAOS_CONFIG ?? '{}') as { prefix?: string }).prefix ?? 'none'))
export class Shipped {
  constructor(public n = 0) {}
}

/** The endpoints subscribed to Shipped: on queue tables a publish stores one row per subscriber; on RabbitMQ one, for the exchange. */
export const SUBSCRIBERS = ['sub-a', 'sub-b', 'sub-c'] as const;

export interface ChaosConfig {
  rabbitUrl: string;
  pgUrl: string;
  schema: string;
  prefix: string;
  /** Workers share transactions among in-flight messages (group commit); --per-message turns it off. */
  groupCommit: boolean;
  /**
   * Where the queues live: the broker, or queue tables in the run's PostgreSQL schema (--transport postgres)
   * or in the run's SQLite file, beside every other table of the run (--transport sqlite).
   */
  transport: 'rabbitmq' | 'postgres' | 'sqlite';
  /** Queue tables: rows a receiver takes per batch (--batch). */
  batch: number;
  /** --transport sqlite: the run's one database file. */
  sqliteFile: string;
  /** --sagas: saga instances fed to the workers' saga endpoint (0: the workers run none). */
  sagas: number;
  /**
   * --cluster: the nodes of the local RabbitMQ cluster (host:port,…; RABBITMQ_CLUSTER_HOSTS), every queue a
   * quorum queue on it; '' = the single broker at rabbitUrl.
   */
  clusterHosts: string;
}

/** Whether the run's queues are tables in its database (its idempotence store's). */
export const onQueueTables = (cfg: ChaosConfig): boolean => cfg.transport !== 'rabbitmq';

/** The URI of one of the run's queues (a rabbitmq:// queue, or a postgres:// or sqlite:// queue table). */
export function chaosQueue(cfg: ChaosConfig, name: string): string {
  if (cfg.transport === 'postgres') return `postgres://default/${cfg.prefix}-${name}`;
  if (cfg.transport === 'sqlite') return `sqlite://default/${cfg.prefix}-${name}`;
  const u = new URL(cfg.rabbitUrl);
  return `rabbitmq://${u.username}:${u.password}@${brokerHosts(cfg)}/${cfg.prefix}-${name}${cfg.clusterHosts ? '?queueType=quorum' : ''}`;
}

/**
 * The broker's host, or the cluster's host list starting at a node of this process's own (by pid): the
 * processes' connections spread over the nodes, and a node's death drops only some of them.
 */
export function brokerHosts(cfg: ChaosConfig): string {
  if (!cfg.clusterHosts) return new URL(cfg.rabbitUrl).host;
  const hosts = cfg.clusterHosts.split(',');
  const first = process.pid % hosts.length;
  return [...hosts.slice(first), ...hosts.slice(0, first)].join(',');
}

/** The PostgreSQL schema of the run's operations store (beside the run's own schema). */
export const opsSchemaOf = (cfg: ChaosConfig): string => `${cfg.schema}_ops`;

/** The URI an endpoint receives from: a queue table is taken `batch` rows at a time. */
export function receiveQueue(cfg: ChaosConfig, name: string): string {
  return onQueueTables(cfg) ? `${chaosQueue(cfg, name)}?batch=${cfg.batch}` : chaosQueue(cfg, name);
}

export const MAXIMUM_FAILURE_COUNT = 3;

/** Work placed through the producer's sessions is numbered from here (apart from the fed messages). */
export const SESSION_ORDER_BASE = 1_000_000;

/** The messageId of an order's Work: the audit finds each committed order's effects by it. */
export const sessionWorkId = (orderId: string): string => `order-${orderId}`;
