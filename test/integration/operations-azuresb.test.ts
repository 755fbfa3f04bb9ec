import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyTransportMessage } from '../../src/envelope/transport-message.js';
import { deserializeTransportMessage, serializeTransportMessage } from '../../src/envelope/wire-format.js';
import type { IQueue } from '../../src/transport/queue.js';
import { startAsb } from '../support/asb.js';
import { eventually } from '../support/latch.js';
import { cli } from '../support/ops-bench.js';

// The operations tools on Azure Service Bus: `--transport azuresb://<name>`, the connection string (which
// holds a key) from the environment variable ONCEBUS_AZURESB_<NAME>, never from a URL or an argument.
describe('npx oncebus errors on Azure Service Bus (azuresb://<name>, its connection string from ONCEBUS_AZURESB_<NAME>)', function () {
  this.timeout(60_000);
  let asb: Awaited<ReturnType<typeof startAsb>>;
  let dir: string;
  let ops: string[];

  before(async () => {
    asb = await startAsb();
  });
  after(() => asb.stop());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'oncebus-ops-asb-'));
    ops = ['--store', `sqlite:${join(dir, 'ops.db')}`];
  });
  afterEach(() => {
    delete process.env.ONCEBUS_AZURESB_TEST;
    rmSync(dir, { recursive: true, force: true });
  });

  async function take(queue: IQueue) {
    let got: Awaited<ReturnType<IQueue['getMessage']>> = null;
    await eventually(async () => (got = await queue.getMessage()) !== null, 'a message');
    return got!;
  }

  it('ingests an error queue and returns the failed message to its source queue', async () => {
    const source = asb.queue();
    const errors = asb.queue();
    const failed = { ...emptyTransportMessage(), messageId: 'asb-failed-1', messageType: 'shop.PlaceOrder', message: Buffer.from('{"orderId":1}') };
    failed.headers['oncebus-source-queue'] = `azuresb://test/${source}`;
    failed.failureMessages.push('2026-12-03T10:00:00.000Z shop Error: warehouse offline');
    const errorQueue = asb.factory.create(`azuresb://test/${errors}`);
    await errorQueue.enqueue(failed, serializeTransportMessage(failed));
    await errorQueue.close();
    process.env.ONCEBUS_AZURESB_TEST = asb.broker.connectionString;

    const ingested = await cli('errors', 'ingest', `azuresb://test/${errors}`, '--transport', 'azuresb://test', ...ops, '--json');
    expect(ingested.code, ingested.err).to.equal(0);
    expect(JSON.parse(ingested.out)).to.deep.include({ new: 1 });
    const returned = await cli('errors', 'return', '--all', '--transport', 'azuresb://test', ...ops);
    expect(returned.code, returned.err).to.equal(0);
    expect(returned.out).to.contain('returned 1');

    const back = asb.factory.create(`azuresb://test/${source}`);
    const got = await take(back);
    expect(deserializeTransportMessage(got.body).messageId).to.equal('asb-failed-1');
    await back.acknowledge(got.token);
    await back.close();
  });

  it('without the connection string in its variable: a usage error naming the variable', async () => {
    const answer = await cli('errors', 'ingest', 'azuresb://test/orders-error', '--transport', 'azuresb://test', ...ops);
    expect(answer.code).to.equal(2);
    expect(answer.err).to.contain("no connection string for the Azure Service Bus connection 'test'").and.to.contain('ONCEBUS_AZURESB_TEST');
  });
});
