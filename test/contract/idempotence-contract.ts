import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { emptyTransportMessage, type TransportMessage } from '../../src/envelope/transport-message.js';
import { type IIdempotenceService, ProcessingStatus } from '../../src/idempotence/idempotence-service.js';
import type { IIdempotenceServiceFactory } from '../../src/idempotence/idempotence-service-factory.js';
import { requireService } from '../support/integration.js';

/** The flush lease every subject is opened with (flushLeaseMs): short, so a test can wait one out. */
export const FLUSH_LEASE_MS = 400;

/**
 * The idempotence contract (claim → handled with stored sends → flushed → completed; a concurrent copy
 * waits, then sees the outcome), written once; every store (memory, SQLite, PostgreSQL, SQL Server)
 * must pass it. `open()` returns a fresh, isolated store.
 */
export interface IdempotenceSubject {
  available?(): Promise<boolean>;
  open(): Promise<{ factory: IIdempotenceServiceFactory; close(): Promise<void> }>;
  /** Skip instead of requiring the service (SQL Server without a connection string). */
  skipReason?: string;
}

function message(type = 'contract.Order'): TransportMessage {
  const tm = emptyTransportMessage();
  tm.messageId = randomUUID();
  tm.messageType = type;
  return tm;
}

function outgoing(recipient: string): TransportMessage {
  const tm = message('contract.Follow');
  tm.recipientInboxWorkQueueUri = recipient;
  return tm;
}

/** Whether a promise is still unsettled after `ms` (the window in which it must be waiting). */
async function stillPending(p: Promise<unknown>, ms = 150): Promise<boolean> {
  let settled = false;
  p.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((r) => setTimeout(r, ms));
  return !settled;
}

export function describeIdempotenceServiceContract(label: string, subject: IdempotenceSubject): void {
  describe(`idempotence contract: ${label}`, function () {
    let store: Awaited<ReturnType<IdempotenceSubject['open']>>;
    const services: IIdempotenceService[] = [];

    before(async function () {
      if (subject.skipReason) {
        console.log(`      skipped: ${subject.skipReason}`);
        this.skip();
      }
      if (subject.available) requireService(this, label, await subject.available());
      store = await subject.open();
    });
    after(async () => {
      for (const s of services) await s.stop?.();
      await store?.close();
    });

    async function service(inbox = `memory://contract-${randomUUID().slice(0, 8)}`): Promise<IIdempotenceService> {
      const s = store.factory.create(inbox);
      await s.start?.();
      services.push(s);
      return s;
    }

    it('claims a new message (Assigned) and, once handled and committed, keeps its sends in send order', async () => {
      const svc = await service();
      const tm = message();
      const uow = await svc.beginUnitOfWork();
      expect(await svc.processingStatus(tm, uow)).to.equal(ProcessingStatus.Assigned);
      const sends = Array.from({ length: 5 }, (_, i) => outgoing(`memory://to-${i}`));
      for (const [i, o] of sends.entries()) await svc.addDeferredMessage(tm, o, Buffer.from(`body-${i}`), uow);
      await svc.messageHandled(tm, uow);
      await uow.commit();
      const stored = await svc.getDeferredMessages(tm);
      expect(stored.map((d) => d.messageId)).to.deep.equal(sends.map((o) => o.messageId));
      expect(stored.map((d) => d.recipientUri)).to.deep.equal(sends.map((o) => o.recipientInboxWorkQueueUri));
      expect(stored.map((d) => Buffer.from(d.body).toString())).to.deep.equal(sends.map((_, i) => `body-${i}`));
    });

    it('finds a handled message (a crash before completion) as MessageHandled, with its unsent sends still stored', async () => {
      const svc = await service();
      const tm = message();
      const a = outgoing('memory://a');
      const b = outgoing('memory://b');
      const uow = await svc.beginUnitOfWork();
      await svc.processingStatus(tm, uow);
      await svc.addDeferredMessage(tm, a, Buffer.from('a'), uow);
      await svc.addDeferredMessage(tm, b, Buffer.from('b'), uow);
      await svc.messageHandled(tm, uow);
      await uow.commit();
      const [storedA] = await svc.getDeferredMessages(tm);
      await svc.deferredMessageSent(tm, storedA!);
      await svc.releaseFlush(tm); // "crash" here (the lease is given up, as after a failed flush); the redelivered copy:
      const again = await svc.beginUnitOfWork();
      expect(await svc.processingStatus(tm, again)).to.equal(ProcessingStatus.MessageHandled);
      await again.commit();
      expect((await svc.getDeferredMessages(tm)).map((d) => d.messageId)).to.deep.equal([b.messageId]);
    });

    it('stores a publish as one row per subscriber, all with one messageId, and settles each row alone', async () => {
      const svc = await service();
      const tm = message();
      const event = outgoing('');
      const subscribers = ['memory://s1', 'memory://s2', 'memory://s3'];
      const uow = await svc.beginUnitOfWork();
      await svc.processingStatus(tm, uow);
      for (const uri of subscribers) await svc.addDeferredMessage(tm, { ...event, recipientInboxWorkQueueUri: uri }, Buffer.from(uri), uow);
      await svc.messageHandled(tm, uow);
      await uow.commit();
      const stored = await svc.getDeferredMessages(tm);
      expect(stored.map((d) => d.recipientUri)).to.deep.equal(subscribers);
      expect(new Set(stored.map((d) => d.messageId))).to.deep.equal(new Set([event.messageId]));
      const owed = await svc.admin!.pendingSends();
      expect(owed.count, 'three sends owed').to.equal(3);
      expect(owed.oldestClaimedAt).to.be.a('number').and.to.be.within(Date.now() - 60_000, Date.now() + 60_000);
      await svc.deferredMessageSent(tm, stored[0]!);
      expect((await svc.admin!.pendingSends()).count, 'each row settled alone').to.equal(2);
      await svc.releaseFlush(tm); // the flush stops after the first subscriber (a broker error)
      const again = await svc.beginUnitOfWork();
      expect(await svc.processingStatus(tm, again)).to.equal(ProcessingStatus.MessageHandled);
      await again.commit();
      const rest = await svc.getDeferredMessages(tm);
      expect(rest.map((d) => d.recipientUri)).to.deep.equal(subscribers.slice(1));
      for (const d of rest) await svc.deferredMessageSent(tm, d);
      await svc.processingCompleted(tm);
      expect(await svc.admin!.pendingSends(), 'nothing owed').to.deep.equal({ count: 0, oldestClaimedAt: null });
    });

    it('makes a copy that finds the message handled wait while another copy flushes, then find nothing owed', async () => {
      const svc = await service();
      const tm = message();
      const uow = await svc.beginUnitOfWork();
      await svc.processingStatus(tm, uow);
      await svc.addDeferredMessage(tm, outgoing('memory://f'), Buffer.from('f'), uow);
      await svc.messageHandled(tm, uow); // the committing copy holds the flush lease from its commit on
      await uow.commit();
      const copy = { ...tm }; // another delivery of the same message
      const u2 = await svc.beginUnitOfWork();
      expect(await svc.processingStatus(copy, u2)).to.equal(ProcessingStatus.MessageHandled);
      await u2.commit();
      const heard: string[] = [];
      const copyFlush = svc.getDeferredMessages(copy, () => heard.push('copy waits'));
      expect(await stillPending(copyFlush), 'the copy waits while the first copy flushes').to.equal(true);
      for (const d of await svc.getDeferredMessages(tm, () => heard.push('holder waits'))) await svc.deferredMessageSent(tm, d);
      await svc.processingCompleted(tm);
      expect(await copyFlush, 'nothing owed: the first copy sent it').to.deep.equal([]);
      expect(heard, 'the waiting copy is told once; the holder never').to.deep.equal(['copy waits']);
    });

    it('lets a copy take over the flush once the holder gave it up (its flush failed), with every send still owed', async () => {
      const svc = await service();
      const tm = message();
      const uow = await svc.beginUnitOfWork();
      await svc.processingStatus(tm, uow);
      await svc.addDeferredMessage(tm, outgoing('memory://g'), Buffer.from('g'), uow);
      await svc.messageHandled(tm, uow);
      await uow.commit();
      const copy = { ...tm };
      const copyFlush = svc.getDeferredMessages(copy);
      expect(await stillPending(copyFlush)).to.equal(true);
      await svc.releaseFlush(tm);
      expect((await copyFlush).map((d) => d.recipientUri)).to.deep.equal(['memory://g']);
    });

    it('lets a copy take over the flush of a holder that died mid-flush once its lease has run out', async function () {
      const svc = await service();
      const tm = message();
      const uow = await svc.beginUnitOfWork();
      await svc.processingStatus(tm, uow);
      await svc.addDeferredMessage(tm, outgoing('memory://h'), Buffer.from('h'), uow);
      await svc.messageHandled(tm, uow);
      await uow.commit();
      // The holder never comes back; the subjects run with a short lease (flushLeaseMs).
      const started = Date.now();
      const stored = await svc.getDeferredMessages({ ...tm });
      expect(stored.map((d) => d.recipientUri)).to.deep.equal(['memory://h']);
      expect(Date.now() - started, 'it waited for the lease to run out').to.be.greaterThan(FLUSH_LEASE_MS - 50);
    });

    it('ignores a completed message, with nothing left stored', async () => {
      const svc = await service();
      const tm = message();
      const uow = await svc.beginUnitOfWork();
      await svc.processingStatus(tm, uow);
      const o = outgoing('memory://x');
      await svc.addDeferredMessage(tm, o, Buffer.from('x'), uow);
      await svc.messageHandled(tm, uow);
      await uow.commit();
      for (const d of await svc.getDeferredMessages(tm)) await svc.deferredMessageSent(tm, d);
      await svc.processingCompleted(tm);
      const again = await svc.beginUnitOfWork();
      expect(await svc.processingStatus(tm, again)).to.equal(ProcessingStatus.Ignore);
      await again.commit();
      expect(await svc.getDeferredMessages(tm)).to.have.length(0);
    });

    it('leaves nothing behind when the unit of work rolls back (the handler failed)', async () => {
      const svc = await service();
      const tm = message();
      const uow = await svc.beginUnitOfWork();
      expect(await svc.processingStatus(tm, uow)).to.equal(ProcessingStatus.Assigned);
      await svc.addDeferredMessage(tm, outgoing('memory://y'), Buffer.from('y'), uow);
      await uow.rollback();
      expect(await svc.getDeferredMessages(tm)).to.have.length(0);
      const retry = await svc.beginUnitOfWork();
      expect(await svc.processingStatus(tm, retry)).to.equal(ProcessingStatus.Assigned);
      await retry.rollback();
    });

    it('keeps endpoints that share a store apart: one messageId is new to each inbox', async () => {
      const billing = await service('memory://billing-shared');
      const shipping = await service('memory://shipping-shared');
      const tm = message();
      const u1 = await billing.beginUnitOfWork();
      expect(await billing.processingStatus(tm, u1)).to.equal(ProcessingStatus.Assigned);
      await billing.messageHandled(tm, u1);
      await u1.commit();
      await billing.processingCompleted(tm);
      const u2 = await shipping.beginUnitOfWork();
      expect(await shipping.processingStatus(tm, u2)).to.equal(ProcessingStatus.Assigned);
      await u2.rollback();
    });

    it('makes a concurrent copy wait for the claim holder’s commit, then see MessageHandled', async () => {
      const svc = await service();
      const tm = message();
      const first = await svc.beginUnitOfWork();
      expect(await svc.processingStatus(tm, first)).to.equal(ProcessingStatus.Assigned);
      const second = (async () => {
        const uow = await svc.beginUnitOfWork();
        const status = await svc.processingStatus(tm, uow);
        await uow.commit();
        return status;
      })();
      expect(await stillPending(second), 'the copy must wait while the claim is uncommitted').to.equal(true);
      // A stored send is still owed after the commit, so the copy finds the message handled, not completed.
      await svc.addDeferredMessage(tm, outgoing('memory://owed'), Buffer.from('owed'), first);
      await svc.messageHandled(tm, first);
      await first.commit();
      expect(await second).to.equal(ProcessingStatus.MessageHandled);
    });

    it('makes a concurrent copy wait, then claim the message itself when the holder rolls back', async () => {
      const svc = await service();
      const tm = message();
      const first = await svc.beginUnitOfWork();
      await svc.processingStatus(tm, first);
      const second = (async () => {
        const uow = await svc.beginUnitOfWork();
        const status = await svc.processingStatus(tm, uow);
        await uow.rollback();
        return status;
      })();
      expect(await stillPending(second)).to.equal(true);
      await first.rollback();
      expect(await second).to.equal(ProcessingStatus.Assigned);
    });
  });
}
