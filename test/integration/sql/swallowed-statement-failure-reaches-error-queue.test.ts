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

let runs = 0;

/** Catches a failed statement and carries on: on PostgreSQL its transaction is then aborted for good. */
@handlesMessage(PlaceOrder)
class SwallowsAFailure implements IMessageHandler<PlaceOrder, pg.PoolClient> {
  async handle(ctx: IHandlerContext<PlaceOrder, pg.PoolClient>): Promise<void> {
    runs++;
    await ctx.transaction.query('SELECT * FROM no_such_table').catch(() => undefined);
  }
}

for (const groupCommit of [false, true]) {
  describe(`a handler that swallows a failed statement on PostgreSQL${groupCommit ? ' (group commit)' : ''}: retried, then the error queue — never an endless loop`, function () {
    this.timeout(30_000);
    let store: ReturnType<typeof openPostgresStore> | null = null;

    before(async function () {
      requireService(this, 'PostgreSQL', await postgresAvailable());
      store = openPostgresStore();
    });
    after(() => store?.dispose());

    it('counts each attempt as a failure of the message and moves it to the error queue after maximumFailureCount', async () => {
      runs = 0;
      const world = new MemoryWorld();
      const name = `swallow-${groupCommit ? 'gc' : 'pm'}`;
      const { bus } = world.endpoint(
        name,
        { handlers: [SwallowsAFailure], idempotence: true, inbox: { workQueueUri: `memory://${name}`, errorQueueUri: `memory://${name}-error`, maximumFailureCount: 3, durationToIgnoreOnFailure: ['0ms'] } },
        [],
        (c) => c.rebind(TYPES.IdempotenceServiceFactory).toConstantValue(store!.idempotence({ groupCommit })),
      );
      await bus.start();
      try {
        const failed = waitForEvents(bus.events, 'messageSentToErrorQueue', 1, () => true, 20_000);
        const sent = await bus.send(new PlaceOrder('swallowed'), { local: true });
        const [[copy]] = await failed;
        expect(copy.messageId).to.equal(sent.messageId);
        expect(copy.failureMessages).to.have.length(3);
        expect(copy.failureMessages.every((l) => /TransactionAbortedError/.test(l))).to.equal(true);
        expect(runs).to.equal(3);
      } finally {
        await world.stopAll();
      }
    });
  });
}
