import type { Duration } from './duration.js';
import type { HandlerClass } from '../handling/handles-message.js';
import type { MessageClass } from '../messages/message-type.js';
import type { Route } from '../routing/route-specification.js';
import type { ScheduleOptions } from './schedule-options.js';

/** The inbox: where this endpoint receives, and where failures go. */
export interface InboxOptions {
  workQueueUri: string;
  errorQueueUri: string;
  /**
   * Holds messages whose ignoreTillDate is in the future (retry back-off, deferred sends) until due.
   * Required when the work queue's transport cannot schedule by itself and a retry duration is non-zero.
   */
  deferredQueueUri?: string;
  /** Concurrent receive loops (default 4). */
  threadCount?: number;
  /** Attempts before the error queue (default 5). */
  maximumFailureCount?: number;
  /** Back-off before attempt n+1; the last entry repeats (default 1s, 5s, 30s, 2m). */
  durationToIgnoreOnFailure?: Duration[];
  /** Sleep after an empty receive; the last entry repeats until a message arrives (default 50ms…1s). */
  durationToSleepWhenIdle?: Duration[];
}

/** An optional local outbox queue: sends go there first and are forwarded, so a send succeeds while a remote broker is down. */
export interface OutboxOptions {
  workQueueUri: string;
  errorQueueUri: string;
  threadCount?: number;
  maximumFailureCount?: number;
  durationToIgnoreOnFailure?: Duration[];
  durationToSleepWhenIdle?: Duration[];
}

export interface IdempotenceOptions {
  /** Idempotence for this endpoint (default off). Needs an IIdempotenceServiceFactory bound in the container. */
  enabled: boolean;
}

export interface EndpointOptions {
  /** For logs; defaults to the inbox work queue URI ('send-only' without an inbox). */
  name?: string;
  /**
   * Where this endpoint receives. Leave it out for a send-only endpoint (a web process that only sends and
   * publishes): no handlers, subscriptions or idempotence then, and no reply can come back to it.
   */
  inbox?: InboxOptions;
  outbox?: OutboxOptions;
  routes?: Route[];
  /** Handler classes (decorated with @handlesMessage); one per message type. */
  handlers?: HandlerClass[];
  /** Further message classes this endpoint reads or writes. */
  messageTypes?: MessageClass[];
  /** Types this endpoint sends with `send`: each must have a route, checked at start. */
  sends?: MessageClass[];
  /** Event types this endpoint subscribes to at start (published messages it receives). */
  subscriptions?: (MessageClass | string)[];
  idempotence?: boolean | IdempotenceOptions;
  /**
   * Messages sent on a cron schedule, once per tick across every process of the endpoint, given in code
   * (a message is an object). Need an inbox and idempotence: see docs/schedules.md.
   */
  schedules?: ScheduleOptions[];
  /** Compression algorithm name for outgoing bodies ('gzip'), or none. */
  compression?: string;
  /** Encryption algorithm name for outgoing bodies ('aes-256-gcm'), or none. */
  encryption?: string;
  /** How long stop() waits for in-flight messages before aborting them (default 30s). */
  stopTimeout?: Duration;
  /**
   * How long a handler may run (default 60s). Past it, its signal aborts, its unit of work rolls back and
   * the message follows the retry policy: every unit of work ends within a bound, so a hung handler never
   * holds its claim, its connection or (with group commit) its neighbours for long.
   */
  handlerTimeout?: Duration;
  /**
   * How often the endpoint looks for transactional sessions that committed and were never dispatched (their
   * process died, or the broker was down) and sends what they owe (default 5s; also once at start). 0: this
   * process does not sweep (another process of the endpoint must).
   */
  sessionSweepInterval?: Duration;
  /** Create queues that support it at start (default true). */
  createQueues?: boolean;
  /**
   * The largest message this endpoint reads, in bytes (default 4 MiB = 4194304): an envelope larger than
   * this, or a body that would decompress past it, goes to the error queue as it came, with the reason,
   * before the endpoint spends the memory (MessageTooLargeError). At least 1 KiB, at most 1 GiB.
   */
  maxMessageSize?: number;
  /**
   * Connections (for RabbitMQ: `rabbitmq://host[:port]`, any queue URI on it too) this endpoint may send to
   * when a message names them — a reply address, a subscriber, a send's `recipient` — besides those of its
   * configured queues and routes. Every other such destination is refused (UntrustedDestinationError, the
   * message goes to the error queue): the endpoint would log in there with its own credentials.
   */
  trustedConnections?: string[];
}
