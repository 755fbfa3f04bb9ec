import { expect } from 'chai';
import { TYPES } from '../../../src/di/tokens.js';
import { OncebusError } from '../../../src/errors/errors.js';
import { handlesMessage } from '../../../src/handling/handles-message.js';
import type { IMessageHandler } from '../../../src/handling/message-handler.js';
import { requireService } from '../../support/integration.js';
import { waitForEvents } from '../../support/latch.js';
import { MemoryWorld } from '../../support/memory-endpoint.js';
import { PlaceOrder } from '../../support/messages.js';
import { openPostgresStore, postgresAvailable } from '../../support/sql-subjects.js';

@handlesMessage(PlaceOrder)
class Nothing implements IMessageHandler<PlaceOrder> {
  handle(): void {}
}

describe('PostgreSQL pool: an endpoint on postgres:// queues needs a connection per receive loop and per unit of work', function () {
  this.timeout(30_000);
  let store: ReturnType<typeof openPostgresStore>;

  before(async function () {
    requireService(this, 'PostgreSQL', await postgresAvailable());
    store = openPostgresStore({ poolSize: 10 });
    await store.store.ready();
  });
  after(() => store?.dispose());

  function endpoint(world: MemoryWorld, name: string, threadCount: number, groupCommit = false) {
    return world.endpoint(
      name,
      {
        handlers: [Nothing],
        idempotence: true,
        inbox: { workQueueUri: `postgres://default/${name}`, errorQueueUri: `postgres://default/${name}_error`, threadCount },
      },
      [],
      (c) => {
        c.bind(TYPES.QueueFactory).toConstantValue(store.queues);
        c.rebind(TYPES.IdempotenceServiceFactory).toConstantValue(store.idempotence({ groupCommit }));
      },
    );
  }

  it('refuses at start an endpoint that would wait on itself (10 loops × 2 connections on a pool of 10), with the figures to change', async () => {
    const world = new MemoryWorld();
    const { bus } = endpoint(world, 'pool_big', 10);
    const error = await bus.start().then(() => null, (e: unknown) => e);
    expect(OncebusError.is(error) && error.code).to.equal('ONCEBUS_CONFIGURATION');
    expect((error as Error).message).to.match(/^poolSize: the PostgreSQL \(postgres:\/\/oncebus:\*\*\*@.*\) pool has 10 connections, but the endpoints started on it need \d+ at once/);
    expect((error as OncebusError).hint).to.match(/raise poolSize to at least \d+/);
    expect(bus.started).to.equal(false);
  });

  it('starts what fits, handles, and gives its connections back at stop (a second endpoint fits afterwards)', async () => {
    const world = new MemoryWorld();
    const first = endpoint(world, 'pool_a', 4);
    await first.bus.start();
    const second = endpoint(world, 'pool_b', 4);
    const refused = await second.bus.start().then(() => null, (e: unknown) => e);
    expect(OncebusError.is(refused) && refused.code, 'both together need 17').to.equal('ONCEBUS_CONFIGURATION');
    const handled = waitForEvents(first.bus.events, 'messageHandled');
    await first.bus.send(new PlaceOrder('p'), { local: true });
    await handled;
    await first.bus.stop();
    await second.bus.start();
    await second.bus.stop();
  });

  it('counts a group-commit endpoint one connection per lane, not per message', async () => {
    const world = new MemoryWorld();
    const { bus } = endpoint(world, 'pool_gc', 8, true);
    await bus.start(); // 8 take connections + 1 lane + 1 spare = 10
    await bus.stop();
  });
});
