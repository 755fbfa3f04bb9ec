import { expect } from 'chai';
import type { ISubscriptionService } from '../../src/subscriptions/subscription-service.js';
import { requireService } from '../support/integration.js';

export interface SubscriptionSubject {
  available?(): Promise<boolean>;
  open(): Promise<{ service: ISubscriptionService; close(): Promise<void> }>;
}

/** Subscriptions: type → subscriber inboxes, idempotent registration. Every store passes it. */
export function describeSubscriptionContract(label: string, subject: SubscriptionSubject): void {
  describe(`subscription contract: ${label}`, function () {
    let s: Awaited<ReturnType<SubscriptionSubject['open']>>;
    before(async function () {
      if (subject.available) requireService(this, label, await subject.available());
      s = await subject.open();
    });
    after(async () => s?.close());

    it('lists every inbox subscribed to a type, once each, and nothing for other types', async () => {
      await s.service.subscribe(['c.A', 'c.B'], 'memory://one');
      await s.service.subscribe(['c.A'], 'memory://two');
      await s.service.subscribe(['c.A'], 'memory://one');
      expect([...(await s.service.getSubscribers('c.A'))].sort()).to.deep.equal(['memory://one', 'memory://two']);
      expect(await s.service.getSubscribers('c.B')).to.deep.equal(['memory://one']);
      expect(await s.service.getSubscribers('c.None')).to.deep.equal([]);
    });
  });
}
