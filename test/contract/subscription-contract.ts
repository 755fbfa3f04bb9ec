import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { ISubscriptionService } from '../../src/subscriptions/subscription-service.js';
import { requireService } from '../support/integration.js';

/** One process's handle on the subscriptions. */
export interface OpenedSubscriptions {
  readonly service: ISubscriptionService;
  close(): Promise<void>;
}

export interface SubscriptionSubject {
  available?(): Promise<boolean>;
  /** A handle on fresh subscriptions; `peer()` opens another process's handle on the same ones (a publisher elsewhere). */
  open(): Promise<OpenedSubscriptions & { peer(): Promise<OpenedSubscriptions> }>;
  /** The inbox URI of a subscriber named `name` (default `memory://<name>`). */
  inbox?(name: string): string;
  /**
   * Which of `inboxes` a publish of `type` through `service` reaches now. Default: the subscribers it lists
   * (a store of subscriber lists); a transport with pub/sub of its own sends a probe and sees who got it.
   */
  reach?(service: ISubscriptionService, type: string, inboxes: readonly string[]): Promise<string[]>;
  /** How long a subscription may take to reach a publisher elsewhere (the window the docs state; default 0). */
  propagationMs?: number;
  after?(): Promise<void>;
}

/** Subscriptions: a publish of a type reaches every inbox subscribed to it, once, from any process. Every store passes it. */
export function describeSubscriptionContract(label: string, subject: SubscriptionSubject): void {
  describe(`subscription contract: ${label}`, function () {
    let s: Awaited<ReturnType<SubscriptionSubject['open']>>;
    before(async function () {
      if (subject.available) requireService(this, label, await subject.available());
      s = await subject.open();
    });
    after(async () => {
      await s?.close();
      await subject.after?.();
    });

    const run = randomUUID().slice(0, 8);
    const inbox = (name: string): string => (subject.inbox ? subject.inbox(`${name}-${run}`) : `memory://${name}`);
    const type = (name: string): string => `c.${name}.${run}`;
    const reach = async (service: ISubscriptionService, t: string, inboxes: readonly string[]): Promise<string[]> =>
      [...(subject.reach ? await subject.reach(service, t, inboxes) : await service.getSubscribers(t))].sort();

    it('reaches every inbox subscribed to a type, once each, and none for other types', async () => {
      const [one, two] = [inbox('one'), inbox('two')];
      await s.service.subscribe([type('A'), type('B')], one);
      await s.service.subscribe([type('A')], two);
      await s.service.subscribe([type('A')], one);
      expect(await reach(s.service, type('A'), [one, two])).to.deep.equal([one, two].sort());
      expect(await reach(s.service, type('B'), [one, two])).to.deep.equal([one]);
      expect(await reach(s.service, type('None'), [one, two])).to.deep.equal([]);
    });

    it('a publisher elsewhere that already asked reaches a new subscriber as soon as subscribe() returns', async () => {
      const publisher = await s.peer();
      try {
        const late = inbox('late');
        const t = type('Late');
        // The publisher asks first, and again once a listener had time to start: a cache of that answer is
        // what used to hide the new subscriber for 5 s.
        expect(await reach(publisher.service, t, [late])).to.deep.equal([]);
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(await reach(publisher.service, t, [late])).to.deep.equal([]);
        await s.service.subscribe([t], late);
        const until = Date.now() + (subject.propagationMs ?? 0);
        let reached = await reach(publisher.service, t, [late]);
        while (reached.length === 0 && Date.now() < until) {
          await new Promise((resolve) => setTimeout(resolve, 10));
          reached = await reach(publisher.service, t, [late]);
        }
        expect(reached).to.deep.equal([late]);
      } finally {
        await publisher.close();
      }
    });
  });
}
