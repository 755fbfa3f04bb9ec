import type { TransportMessage } from '../../src/envelope/transport-message.js';
import { StoreError, TransportError } from '../../src/errors/errors.js';
import type { DeferredMessage, IIdempotenceService } from '../../src/idempotence/idempotence-service.js';
import type { IIdempotenceServiceFactory } from '../../src/idempotence/idempotence-service-factory.js';
import type { ISessionIdempotenceService } from '../../src/idempotence/session-idempotence-service.js';
import type { IUnitOfWork } from '../../src/idempotence/unit-of-work.js';
import type { IQueue, IQueueFactory } from '../../src/transport/queue.js';
import type { Seams } from './sim-seams.js';
import type { SimProcessRef } from './virtual-time.js';

/** What a simulated process opened in the shared world: closed by the world when the process crashes. */
export interface ProcessHandles {
  readonly queues: IQueue[];
  /** The rollback of each unit of work the process began (the store's own, without seams). */
  readonly rollbacks: (() => Promise<void>)[];
  /** Called when a unit of work is opened without I/O (group commit's openUnitOfWork), so a run can show it took that path. */
  readonly openedWithoutIo?: () => void;
}

const storeFault = (site: string) => () => new StoreError(`simulated store failure at ${site}`);
const transportFault = (site: string) => () => new TransportError(`simulated transport failure at ${site}`);

/**
 * A process's view of the shared broker: every call passes a seam before it reaches the broker and
 * another after (a fault after means the call took effect but its caller heard an error: a lost
 * confirm, a lost acknowledgement). Release never fails: a broker redelivers what a dead channel held,
 * which the world does on a crash, not on a failed call.
 */
export function simQueueFactory(inner: IQueueFactory, process: SimProcessRef, seams: Seams, handles: ProcessHandles, weight: (site: string) => number = () => 1, budget = 'bus'): IQueueFactory {
  return {
    scheme: inner.scheme,
    create(uri: string): IQueue {
      const queue = inner.create(uri);
      handles.queues.push(queue);
      const step = (site: string, fault = true) => seams.step(process, site, fault ? transportFault(site) : undefined, weight(site), budget);
      return {
        uri,
        async enqueue(message: TransportMessage, body: Uint8Array): Promise<void> {
          await step('enqueue');
          await queue.enqueue(message, body);
          await step('enqueued');
        },
        async getMessage() {
          await step('get');
          const got = await queue.getMessage();
          await step('got', false);
          return got;
        },
        async acknowledge(token: unknown): Promise<void> {
          await step('acknowledge');
          await queue.acknowledge(token);
          await step('acknowledged');
        },
        async release(token: unknown): Promise<void> {
          await step('release', false);
          await queue.release(token);
        },
        close: () => queue.close(),
      };
    },
  };
}

/**
 * Known-broken idempotence, for the simulator to prove it finds: each reintroduces a hole the contract
 * closes (issue 11), by changing only what the store is asked.
 * - 'delete-by-outgoing-id': settling one stored send deletes every one with its messageId (a publish to
 *   several subscribers lost the others after a partial flush);
 * - 'expiry-first': the expiry check never hears that a message's work committed (an expired copy of
 *   committed work was dropped, its sends with it);
 * - 'no-flush-lease': a flush lease of 1 ms, over before any flush ends (competing copies re-sent; the
 *   world sets it, see flushLeaseFor);
 * - 'handled-not-marked': the handled mark never reaches the transaction (Shuttle.Esb's crash-recovery bug);
 * - 'sessions-never-swept': the sweeper never hears of a transactional session whose process died between
 *   its commit and its dispatch (what it owes is never sent);
 * - 'gc-commit-early' (group commit): a member's commit resolves before its batch has committed, so its
 *   message is flushed and acknowledged while its work can still be lost;
 * - 'gc-no-savepoint' (group commit, applied to the store's statements in SimWorld): a failed member's
 *   writes are released instead of rolled back, and commit with its batch while its message is retried;
 * - 'gc-owes-nothing' (group commit): the shortcut answers "owes nothing" for every copy, so the pipeline
 *   skips the flush and the completion of messages that stored sends too;
 * - 'gc-putback-keeps-claim' (group commit, CommitLane.putBack patched for the run by SimWorld): members a
 *   batch puts back (it was open longer than a write turn) keep their claims, which commit with the batch
 *   as 'completed' rows with no work done: their copies are then ignored.
 */
export type BrokenIdempotence = 'delete-by-outgoing-id' | 'expiry-first' | 'no-flush-lease' | 'handled-not-marked' | 'sessions-never-swept' | 'gc-commit-early' | 'gc-no-savepoint' | 'gc-owes-nothing' | 'gc-putback-keeps-claim';

/**
 * A process's view of an idempotence store: each call and each commit or rollback of a unit of work
 * passes seams. A fault after a commit is a commit whose outcome the caller did not hear.
 */
export function simIdempotence(
  inner: IIdempotenceServiceFactory,
  process: SimProcessRef,
  seams: Seams,
  handles: ProcessHandles,
  broken?: BrokenIdempotence,
): IIdempotenceServiceFactory {
  /** The service `svc` behind seams (and the broken variant's change). */
  function wrap(svc: IIdempotenceService): IIdempotenceService {
    const sendsOf = new WeakMap<TransportMessage, readonly DeferredMessage[]>();
    const step = (site: string, fault = true) => seams.step(process, site, fault ? storeFault(site) : undefined);
    const around = async <T>(site: string, run: () => Promise<T>, faultAfter = false): Promise<T> => {
      await step(site);
      const result = await run();
      await step(`${site}:done`, faultAfter);
      return result;
    };
    /** A unit of work whose commit and rollback pass seams (and the broken variant's change). */
    const seamed = (uow: IUnitOfWork): IUnitOfWork => {
      const commit = uow.commit.bind(uow);
      const rollback = uow.rollback.bind(uow);
      handles.rollbacks.push(rollback);
      uow.commit = () =>
        around(
          'commit',
          // 'gc-commit-early': the pipeline goes on (flushes, acknowledges) before the shared batch commits.
          broken === 'gc-commit-early' ? async () => void commit().catch(() => undefined) : () => commit(),
          true,
        );
      uow.rollback = async () => {
        await seams.step(process, 'rollback');
        await rollback();
      };
      return uow;
    };
    const wrapped: IIdempotenceService = {
      enabled: true,
      inboxWorkQueueUri: svc.inboxWorkQueueUri,
      start: (context) => svc.start?.(context) ?? Promise.resolve(),
      stop: () => svc.stop?.() ?? Promise.resolve(),
      beginUnitOfWork: () => around('begin', async () => seamed(await svc.beginUnitOfWork())),
      processingStatus: (tm, uow) => around('claim', () => svc.processingStatus(tm, uow)),
      addDeferredMessage: (received, outgoing, body, uow) => around('store-send', () => svc.addDeferredMessage(received, outgoing, body, uow)),
      messageHandled: (tm, uow) =>
        around('handled', async () => {
          if (broken === 'handled-not-marked') return;
          await svc.messageHandled(tm, uow);
        }),
      getDeferredMessages: (received, onWaiting) =>
        around('stored-sends', async () => {
          const stored = await svc.getDeferredMessages(received, onWaiting);
          sendsOf.set(received, stored);
          return stored;
        }),
      deferredMessageSent: (received, deferred) =>
        around(
          'sent',
          async () => {
            const all = broken === 'delete-by-outgoing-id' ? (sendsOf.get(received) ?? [deferred]).filter((d) => d.messageId === deferred.messageId) : [deferred];
            for (const d of all) await svc.deferredMessageSent(received, d);
          },
          true,
        ),
      processingCompleted: (tm) => around('completed', () => svc.processingCompleted(tm), true),
      releaseFlush: (tm) => around('release-flush', () => svc.releaseFlush(tm)),
      isHandled: (tm) => around('is-handled', async () => broken !== 'expiry-first' && (await svc.isHandled(tm))),
    };
    // Group commit opens a member without I/O (no promise, so no seam: nothing there can fail or interleave),
    // as the inbox does in production; the member's commit and rollback still pass their seams.
    if (svc.openUnitOfWork)
      wrapped.openUnitOfWork = () => {
        handles.openedWithoutIo?.();
        return seamed(svc.openUnitOfWork!());
      };
    if (svc.retentionWindowFor) wrapped.retentionWindowFor = (type) => svc.retentionWindowFor!(type);
    // Group commit's shortcut for a message that stored no sends (the pipeline then skips flush and completion).
    if (svc.owesNothing) wrapped.owesNothing = broken === 'gc-owes-nothing' ? () => true : (tm) => svc.owesNothing!(tm);
    return wrapped;
  }
  return {
    create: (inbox: string) => wrap(inner.create(inbox)),
    createSessionService(key: string): ISessionIdempotenceService {
      const svc = inner.createSessionService!(key);
      return Object.assign(wrap(svc), {
        orphanedSessions: async (now: number, limit: number) => {
          await seams.step(process, 'orphans', storeFault('orphans'));
          return broken === 'sessions-never-swept' ? [] : svc.orphanedSessions(now, limit);
        },
      });
    },
  };
}
