// A worker that dies between sending a message's retry copy and acknowledging the original: the original
// comes back and fails again, so two copies go on failing, and two error-queue copies with other failure
// lines reach the error queue. The operations store shows one record, each attempt counted once.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Container } from 'inversify';
import { addOncebus, createSilentLogger, handlesMessage, type IHandlerContext, type IMessageHandler, type IServiceBus, TYPES } from '../../src/index.js';
import { run } from '../../src/operations/cli/main.js';
import type { FailedMessageDetail } from '../../src/operations/errors/index.js';
import type { IQueue, IQueueFactory } from '../../src/transport/queue.js';
import { waitForEvents } from '../support/latch.js';
import { PlaceOrder } from '../support/messages.js';
import { openSqliteStore } from '../support/sql-subjects.js';

@handlesMessage(PlaceOrder)
class PoisonHandler implements IMessageHandler<PlaceOrder> {
  async handle(ctx: IHandlerContext<PlaceOrder>): Promise<void> {
    // Attempts a few ms apart: a failure line is its time and its text, and two attempts failing alike in
    // one millisecond would be one line.
    await new Promise((r) => setTimeout(r, 3));
    throw new Error(`order '${ctx.message.orderId}' is poison`);
  }
}

/** `inner`, the work queue's first acknowledgement failing as a killed process's would (the message is not settled). */
function dyingBeforeFirstAck(inner: IQueueFactory, workQueue: string): IQueueFactory {
  let died = false;
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (property !== 'create') return Reflect.get(target, property, receiver);
      return (uri: string): IQueue => {
        const queue = target.create(uri);
        if (uri !== workQueue) return queue;
        return new Proxy(queue, {
          get(q, p, r) {
            const value = Reflect.get(q, p, r) as unknown;
            if (typeof value !== 'function') return value;
            if (p !== 'acknowledge') return (value as (...a: unknown[]) => unknown).bind(q);
            return async (token: unknown) => {
              if (!died) {
                died = true;
                throw new Error('simulated: the worker died before acknowledging');
              }
              return (value as (t: unknown) => Promise<void>).call(q, token);
            };
          },
        });
      };
    },
  });
}

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(['node', 'oncebus', ...args], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('failed messages: two error-queue copies of one poison message (a worker killed between the copy and the acknowledgement)', function () {
  this.timeout(20_000);

  it('are one record, every attempt counted once (4: two per copy), its times those of the failures', async () => {
    const store = openSqliteStore({ leaseMs: 200 });
    const dir = mkdtempSync(join(tmpdir(), 'oncebus-two-copies-'));
    const work = 'sqlite://default/two-copies';
    const error = 'sqlite://default/two-copies-error';
    const c = new Container();
    c.bind(TYPES.QueueFactory).toConstantValue(dyingBeforeFirstAck(store.queues, work));
    c.bind(TYPES.IdempotenceServiceFactory).toConstantValue(store.idempotence());
    c.bind(TYPES.Logger).toConstantValue(createSilentLogger());
    addOncebus(c, {
      name: 'two-copies',
      handlers: [PoisonHandler],
      idempotence: true,
      inbox: { workQueueUri: work, errorQueueUri: error, threadCount: 1, maximumFailureCount: 2, durationToIgnoreOnFailure: ['0ms'], durationToSleepWhenIdle: ['20ms'] },
    });
    const bus = c.get<IServiceBus>(TYPES.ServiceBus);
    try {
      const twice = waitForEvents(bus.events, 'messageSentToErrorQueue', 2, () => true, 15_000);
      await bus.start();
      const sent = await bus.send(new PlaceOrder('P-1'), { local: true });
      await twice;
      await bus.stop();

      const ops = ['--store', `sqlite:${join(dir, 'ops.db')}`];
      const ingested = await cli('errors', 'ingest', error, '--transport', `sqlite:${store.file}`, ...ops, '--json');
      expect(JSON.parse(ingested.out), ingested.err).to.deep.equal({ new: 1, failedAgain: 1, alreadyIngested: 0 });
      const listed = JSON.parse((await cli('errors', 'list', ...ops, '--json')).out) as { total: number };
      expect(listed.total, 'one record').to.equal(1);
      const record = JSON.parse((await cli('errors', 'show', sent.messageId, ...ops, '--json')).out) as FailedMessageDetail;
      // Attempt 1 (its retry copy sent, the acknowledgement lost), attempt 1 again (the original back), and
      // each retry copy's attempt 2: four attempts, the first shared by neither copy.
      expect(record).to.include({ messageId: sent.messageId, timesFailed: 4, status: 'unresolved' });
      const times = record.failures.map((line) => Date.parse(line.slice(0, 24)));
      expect(record.lastFailedAt, 'the last failure, not the ingestion').to.equal(Math.max(...times));
      expect(record.firstFailedAt).to.be.at.most(Math.min(...times));
    } finally {
      await bus.stop().catch(() => undefined);
      await store.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
