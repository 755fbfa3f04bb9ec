import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { emptyTransportMessage, type TransportMessage } from '../../src/envelope/transport-message.js';
import { isCountQueue, isCreateQueue, isDropQueue, isPurgeQueue, type IQueue, type ReceivedMessage } from '../../src/transport/queue.js';
import { requireService } from '../support/integration.js';

/**
 * The queue contract every transport must pass (src/transport/queue.ts states the invariants).
 * `open(name)` returns a new queue object for a queue with that name: two calls with one name are two
 * consumers of the same queue. Every test uses a fresh name, so suites can share a broker.
 */
export interface QueueContractSubject {
  /** Whether the server is reachable; a false answer skips (or, under CI=true, fails) the suite. */
  available?(): Promise<boolean>;
  open(name: string): IQueue | Promise<IQueue>;
  /** Delivers higher priority first when a priority is set. */
  supportsPriority?: boolean;
  /** Called after each test with the names it used, to delete them. */
  cleanup?(names: string[]): Promise<void>;
  after?(): Promise<void>;
}

export function describeQueueContract(label: string, subject: QueueContractSubject): void {
  describe(`queue contract: ${label}`, function () {
    let names: string[] = [];
    let opened: IQueue[] = [];

    before(async function () {
      if (subject.available) requireService(this, label, await subject.available());
    });

    afterEach(async () => {
      for (const q of opened) await q.close().catch(() => undefined);
      await subject.cleanup?.(names);
      names = [];
      opened = [];
    });

    after(async () => {
      await subject.after?.();
    });

    async function open(name?: string): Promise<IQueue> {
      const n = name ?? `contract-${randomUUID().slice(0, 8)}`;
      if (!names.includes(n)) names.push(n);
      const q = await subject.open(n);
      if (isCreateQueue(q)) await q.create();
      opened.push(q);
      return q;
    }

    function message(id: string, priority = 0): TransportMessage {
      const tm = emptyTransportMessage();
      tm.messageId = id;
      tm.messageType = 'contract.Test';
      tm.priority = priority;
      return tm;
    }

    const bytes = (s: string): Uint8Array => Buffer.from(s, 'utf8');
    const text = (r: ReceivedMessage | null): string | null => (r ? Buffer.from(r.body).toString('utf8') : null);

    /** getMessage until one arrives (transports may need a moment to deliver), bounded. */
    async function take(q: IQueue, attempts = 50): Promise<ReceivedMessage | null> {
      for (let i = 0; i < attempts; i++) {
        const r = await q.getMessage();
        if (r) return r;
      }
      return null;
    }

    it('delivers an enqueued body unchanged, binary included', async () => {
      const q = await open();
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      await q.enqueue(message('m1'), all);
      const r = await take(q);
      expect(r, 'message').to.not.equal(null);
      expect(Buffer.from(r!.body).equals(Buffer.from(all))).to.equal(true);
      await q.acknowledge(r!.token);
    });

    it('answers null when the queue is empty', async () => {
      const q = await open();
      expect(await q.getMessage()).to.equal(null);
    });

    it('delivers messages of one priority in the order they were enqueued', async () => {
      const q = await open();
      for (let i = 0; i < 5; i++) await q.enqueue(message(`m${i}`), bytes(`body-${i}`));
      const seen: (string | null)[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await take(q);
        seen.push(text(r));
        await q.acknowledge(r!.token);
      }
      expect(seen).to.deep.equal(['body-0', 'body-1', 'body-2', 'body-3', 'body-4']);
    });

    it('removes an acknowledged message for good', async () => {
      const q = await open();
      await q.enqueue(message('m1'), bytes('once'));
      const r = await take(q);
      await q.acknowledge(r!.token);
      expect(await q.getMessage()).to.equal(null);
      if (isCountQueue(q)) expect(await q.count()).to.equal(0);
    });

    it('makes a released message available again', async () => {
      const q = await open();
      await q.enqueue(message('m1'), bytes('again'));
      const first = await take(q);
      await q.release(first!.token);
      const second = await take(q);
      expect(text(second)).to.equal('again');
      await q.acknowledge(second!.token);
      expect(await q.getMessage()).to.equal(null);
    });

    it('gives a message to one consumer at a time', async () => {
      const name = `contract-${randomUUID().slice(0, 8)}`;
      const a = await open(name);
      const b = await open(name);
      await a.enqueue(message('m1'), bytes('only-one'));
      const got = await take(a);
      expect(text(got)).to.equal('only-one');
      expect(await b.getMessage(), 'second consumer while the first holds it').to.equal(null);
      await a.acknowledge(got!.token);
      expect(await b.getMessage()).to.equal(null);
    });

    it('redelivers a message whose consumer closed without settling it', async () => {
      const name = `contract-${randomUUID().slice(0, 8)}`;
      const a = await open(name);
      await a.enqueue(message('m1'), bytes('unsettled'));
      const got = await take(a);
      expect(text(got)).to.equal('unsettled');
      await a.close();
      const b = await open(name);
      const again = await take(b);
      expect(text(again)).to.equal('unsettled');
      await b.acknowledge(again!.token);
    });

    it('shares messages between competing consumers, each delivered once', async () => {
      const name = `contract-${randomUUID().slice(0, 8)}`;
      const a = await open(name);
      const b = await open(name);
      const n = 40;
      for (let i = 0; i < n; i++) await a.enqueue(message(`m${i}`), bytes(`c-${i}`));
      const seen: string[] = [];
      const consume = async (q: IQueue): Promise<void> => {
        let empty = 0;
        while (seen.length < n && empty < 20) {
          const r = await q.getMessage();
          if (!r) {
            empty++;
            continue;
          }
          seen.push(text(r)!);
          await q.acknowledge(r.token);
        }
      };
      await Promise.all([consume(a), consume(b)]);
      expect(seen).to.have.length(n);
      expect(new Set(seen).size).to.equal(n);
    });

    it('rejects settling a message twice', async () => {
      const q = await open();
      await q.enqueue(message('m1'), bytes('twice'));
      const r = await take(q);
      await q.acknowledge(r!.token);
      let failed = false;
      try {
        await q.acknowledge(r!.token);
      } catch {
        failed = true;
      }
      expect(failed, 'second acknowledge must reject').to.equal(true);
    });

    // Only for transports with priority: an inapplicable test is left out rather than reported as skipped.
    if (subject.supportsPriority) {
      it('delivers higher priority first', async () => {
        const q = await open();
        await q.enqueue(message('low'), bytes('low'));
        await q.enqueue(message('high', 5), bytes('high'));
        const r = await take(q);
        expect(text(r)).to.equal('high');
        await q.acknowledge(r!.token);
      });
    }

    it('purges and drops when it offers those capabilities', async () => {
      const q = await open();
      await q.enqueue(message('m1'), bytes('p'));
      if (isPurgeQueue(q)) {
        await q.purge();
        expect(await q.getMessage()).to.equal(null);
      }
      if (isDropQueue(q)) await q.drop();
    });
  });
}
