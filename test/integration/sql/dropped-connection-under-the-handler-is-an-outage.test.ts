import { expect } from 'chai';
import type pg from 'pg';
import { TYPES } from '../../../src/di/tokens.js';
import { handlesMessage } from '../../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../../src/handling/message-handler.js';
import { requireService } from '../../support/integration.js';
import { waitForEvents } from '../../support/latch.js';
import { MemoryWorld } from '../../support/memory-endpoint.js';
import { PlaceOrder } from '../../support/messages.js';
import { openPostgresStore, postgresAvailable } from '../../support/sql-subjects.js';

/** What the handler saw on each run: how many failures its message carried. */
const failuresSeen: number[] = [];

/** On its first run the server terminates the handler's own connection under its statement (57P01). */
@handlesMessage(PlaceOrder)
class LosesItsConnectionOnce implements IMessageHandler<PlaceOrder, pg.PoolClient> {
  async handle(ctx: IHandlerContext<PlaceOrder, pg.PoolClient>): Promise<void> {
    failuresSeen.push(ctx.transportMessage.failureMessages.length);
    if (failuresSeen.length === 1) await ctx.transaction.query('SELECT pg_terminate_backend(pg_backend_pid())');
    await ctx.transaction.query('SELECT 1');
  }
}

// A dropped connection is the infrastructure's fault wherever it surfaces, also under the handler's own
// statement (where the driver's error reaches the bus unwrapped): the message is released, not counted as
// failed — an outage must poison nothing. It used to take a retry with a failure recorded, and a few such
// drops during a database restart sent a message to the error queue.
for (const groupCommit of [false, true]) {
  describe(`a handler whose database connection drops under its statement on PostgreSQL${groupCommit ? ' (group commit)' : ''}`, function () {
    this.timeout(30_000);
    let store: ReturnType<typeof openPostgresStore> | null = null;

    before(async function () {
      requireService(this, 'PostgreSQL', await postgresAvailable());
      store = openPostgresStore();
    });
    after(() => store?.dispose());

    it('is released and handled again with no failure counted', async () => {
      failuresSeen.length = 0;
      const world = new MemoryWorld();
      const name = `dropped-${groupCommit ? 'gc' : 'pm'}`;
      const { bus } = world.endpoint(
        name,
        { handlers: [LosesItsConnectionOnce], idempotence: true, inbox: { workQueueUri: `memory://${name}`, errorQueueUri: `memory://${name}-error`, maximumFailureCount: 1, durationToIgnoreOnFailure: ['0ms'] } },
        [],
        (c) => c.rebind(TYPES.IdempotenceServiceFactory).toConstantValue(store!.idempotence({ groupCommit })),
      );
      const retried: unknown[] = [];
      bus.events.on('messageRetried', (tm) => retried.push(tm));
      bus.events.on('messageSentToErrorQueue', (tm) => retried.push(tm));
      await bus.start();
      try {
        const handled = waitForEvents(bus.events, 'messageHandled', 1, () => true, 20_000);
        await bus.send(new PlaceOrder('dropped'), { local: true });
        await handled;
        expect(failuresSeen, 'the second run carried no failure').to.deep.equal([0, 0]);
        expect(retried, 'neither retried as a failure nor moved to the error queue').to.deep.equal([]);
      } finally {
        await world.stopAll();
      }
    });
  });
}
