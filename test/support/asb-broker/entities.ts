import type { Message } from 'rhea';
import { newLockToken } from './lock-token.js';

/** A message as the broker keeps it. */
export interface Stored {
  readonly message: Message;
  readonly sequenceNumber: number;
  readonly enqueuedAt: number;
  deliveryCount: number;
  /** When scheduled: not available before this instant. */
  availableAt: number;
  deadLetterReason?: string;
  deadLetterDescription?: string;
  deadLetterSource?: string;
}

export interface Lock {
  readonly token: string;
  readonly stored: Stored;
  expiresAt: number;
}

export interface EntityOptions {
  /** Peek-lock duration (ms, default 30 s, as Azure's default). */
  lockDurationMs?: number;
  /** Deliveries before the dead-letter queue (default 10, as Azure's default). */
  maxDeliveryCount?: number;
}

/**
 * A queue or a topic subscription: ready messages (FIFO by sequence number), scheduled ones, locked ones,
 * and its dead-letter sub-queue. Invariant: a message is in exactly one of ready, scheduled, a lock, or
 * the dead-letter queue (or completed, i.e. gone).
 */
export class Entity {
  readonly ready: Stored[] = [];
  readonly scheduled: Stored[] = [];
  readonly locks = new Map<string, Lock>();
  readonly deadLetter: Entity | null;
  readonly lockDurationMs: number;
  readonly maxDeliveryCount: number;
  /** Called when messages may be deliverable (the broker pumps its consumer links). */
  onAvailable: () => void = () => undefined;

  constructor(
    readonly path: string,
    private readonly nextSequence: () => number,
    options: EntityOptions = {},
    isDeadLetter = false,
  ) {
    this.lockDurationMs = options.lockDurationMs ?? 30_000;
    this.maxDeliveryCount = options.maxDeliveryCount ?? 10;
    this.deadLetter = isDeadLetter ? null : new Entity(`${path}/$DeadLetterQueue`, nextSequence, options, true);
  }

  add(message: Message, availableAt = 0): Stored {
    const stored: Stored = { message, sequenceNumber: this.nextSequence(), enqueuedAt: Date.now(), deliveryCount: 0, availableAt };
    if (availableAt > Date.now()) this.scheduled.push(stored);
    else {
      this.ready.push(stored);
      this.onAvailable();
    }
    return stored;
  }

  /** Takes the next ready message under a new lock. */
  lockNext(): Lock | null {
    const stored = this.ready.shift();
    if (!stored) return null;
    const lock: Lock = { token: newLockToken(), stored, expiresAt: Date.now() + this.lockDurationMs };
    this.locks.set(lock.token, lock);
    return lock;
  }

  /** Takes the next ready message for good (receive-and-delete). */
  takeNext(): Stored | null {
    return this.ready.shift() ?? null;
  }

  complete(token: string): boolean {
    return this.locks.delete(token);
  }

  /** Back to the queue (abandon, lock expiry); the delivery count rises, and too many mean the dead-letter queue. */
  abandon(token: string, reason = 'MaxDeliveryCountExceeded'): boolean {
    const lock = this.locks.get(token);
    if (!lock) return false;
    this.locks.delete(token);
    lock.stored.deliveryCount++;
    if (lock.stored.deliveryCount >= this.maxDeliveryCount && this.deadLetter) {
      this.moveToDeadLetter(lock.stored, reason, `delivered ${lock.stored.deliveryCount} times`);
    } else {
      this.ready.unshift(lock.stored);
      this.ready.sort((a, b) => a.sequenceNumber - b.sequenceNumber);
      this.onAvailable();
    }
    return true;
  }

  deadLetterLocked(token: string, reason: string, description: string): boolean {
    const lock = this.locks.get(token);
    if (!lock || !this.deadLetter) return false;
    this.locks.delete(token);
    this.moveToDeadLetter(lock.stored, reason, description);
    return true;
  }

  /** Housekeeping: expired locks go back, due scheduled messages become ready. */
  tick(now: number): void {
    for (const lock of [...this.locks.values()]) if (lock.expiresAt <= now) this.abandon(lock.token);
    for (let i = this.scheduled.length - 1; i >= 0; i--) {
      const s = this.scheduled[i]!;
      if (s.availableAt <= now) {
        this.scheduled.splice(i, 1);
        this.ready.push(s);
        this.ready.sort((a, b) => a.sequenceNumber - b.sequenceNumber);
        this.onAvailable();
      }
    }
  }

  /** Fault hook: every current lock expires now. */
  expireLocks(): void {
    for (const lock of this.locks.values()) lock.expiresAt = 0;
    this.tick(Date.now());
  }

  get depth(): number {
    return this.ready.length + this.scheduled.length + this.locks.size;
  }

  private moveToDeadLetter(stored: Stored, reason: string, description: string): void {
    const dead = this.deadLetter!.add(stored.message);
    dead.deadLetterReason = reason;
    dead.deadLetterDescription = description;
    dead.deadLetterSource = this.path;
    dead.deliveryCount = stored.deliveryCount;
  }
}

/** A topic copies every message to each of its subscriptions. */
export class Topic {
  readonly subscriptions = new Map<string, Entity>();
  constructor(readonly path: string) {}
}
