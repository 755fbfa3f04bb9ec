import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyTransportMessage } from '../../../src/envelope/transport-message.js';
import { serializeTransportMessage } from '../../../src/envelope/wire-format.js';
import { TransportError } from '../../../src/errors/errors.js';
import { ErrorIngestor } from '../../../src/operations/errors/error-ingestor.js';
import { FailedMessageStore } from '../../../src/operations/errors/failed-message-store.js';
import { SqliteDatabase } from '../../../src/stores/sqlite/sqlite-database.js';
import type { IQueue, IQueueFactory } from '../../../src/transport/queue.js';
import { QueueRegistry } from '../../../src/transport/queue-registry.js';
import { MemoryBroker } from '../../../src/transports/memory/index.js';

/** The memory transport, with the next `n` acknowledgements failing before they reach the broker. */
function failingAcks(broker: MemoryBroker, n: number): IQueueFactory {
  let left = n;
  return {
    scheme: 'memory',
    create(uri: string): IQueue {
      const queue = broker.create(uri);
      return {
        uri,
        enqueue: (m, b) => queue.enqueue(m, b),
        getMessage: () => queue.getMessage(),
        async acknowledge(token) {
          if (left-- > 0) throw new TransportError('simulated: the acknowledgement did not reach the broker');
          await queue.acknowledge(token);
        },
        release: (token) => queue.release(token),
        close: () => queue.close(),
      };
    },
  };
}

describe('error ingestion: a failed message is recorded once and leaves the error queue, whatever fails on the way', () => {
  let dir: string;
  let database: SqliteDatabase;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'oncebus-ingest-'));
    database = new SqliteDatabase({ file: join(dir, 'ops.db') });
  });
  afterEach(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands a delivery back when its acknowledgement fails, and the next round records it once and acknowledges it', async () => {
    const broker = new MemoryBroker();
    const failed = { ...emptyTransportMessage(), messageId: 'm-1', messageType: 'shop.PlaceOrder', recipientInboxWorkQueueUri: 'memory://orders', failureMessages: ['[2026-12-04T00:00:00.000Z] orders: Error: warehouse offline'] };
    await broker.create('memory://orders-error').enqueue(failed, serializeTransportMessage(failed));
    const store = new FailedMessageStore(database);
    const ingestor = new ErrorIngestor(store, new QueueRegistry([failingAcks(broker, 1)]), ['memory://orders-error']);

    let error: unknown;
    await ingestor.drain().catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(TransportError);
    // Not left in flight on the live connection: back in the queue, ready for the next round.
    const state = broker.stateOf('memory://orders-error');
    expect([state.ready.length, state.inFlight.size]).to.deep.equal([1, 0]);

    expect(await ingestor.drain()).to.deep.equal({ new: 0, failedAgain: 0, alreadyIngested: 1 });
    expect([state.ready.length, state.inFlight.size]).to.deep.equal([0, 0]);
    const { messages } = await store.list({ status: 'all' });
    expect(messages.map((m) => [m.messageId, m.timesFailed, m.status])).to.deep.equal([['m-1', 1, 'unresolved']]);
  });
});
