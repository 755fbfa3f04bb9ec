import { expect } from 'chai';
import { serializeTransportMessage } from '../../../src/envelope/wire-format.js';
import type { IOncebusModule, PipelineBuilders } from '../../../src/modules/oncebus-module.js';
import { handlesMessage } from '../../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../../src/handling/message-handler.js';
import type { IIdempotenceServiceFactory } from '../../../src/idempotence/idempotence-service-factory.js';
import { TYPES } from '../../../src/di/tokens.js';
import { requireService } from '../../support/integration.js';
import { waitForEvents } from '../../support/latch.js';
import { MemoryWorld } from '../../support/memory-endpoint.js';
import { PlaceOrder, ShipOrder } from '../../support/messages.js';
import { openPostgresStore, openSqliteStore, postgresAvailable } from '../../support/sql-subjects.js';

let runs = 0;

@handlesMessage(PlaceOrder)
class SendsAFollowUp implements IMessageHandler<PlaceOrder> {
  async handle(ctx: IHandlerContext<PlaceOrder>): Promise<void> {
    runs++;
    await ctx.send(new ShipOrder(ctx.message.orderId));
    // Long enough for the other copies to be waiting on this one's claim when it commits.
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Holds the first flush between dispatching a stored send and deleting it: the window a waiting copy races into. */
class SlowFirstFlush implements IOncebusModule {
  private slowed = false;
  register(pipelines: PipelineBuilders): void {
    pipelines.flush.addObserver({
      event: 'onAfterDispatchDeferredMessage',
      execute: async () => {
        if (this.slowed) return;
        this.slowed = true;
        await new Promise((r) => setTimeout(r, 200));
      },
    });
  }
}

const COPIES = 5;

for (const kind of ['sqlite', 'sqlite group commit', 'postgres', 'postgres group commit'] as const) {
  describe(`competing copies on ${kind} idempotence: the follow-up goes out once, not once per copy`, function () {
    this.timeout(30_000);
    let store: { idempotence(options?: { groupCommit?: boolean }): IIdempotenceServiceFactory; dispose(): Promise<void> } | null = null;

    before(async function () {
      if (kind.startsWith('postgres')) requireService(this, 'PostgreSQL', await postgresAvailable());
      store = kind.startsWith('sqlite') ? openSqliteStore() : openPostgresStore();
    });
    after(() => store?.dispose());

    it(`${COPIES} copies taken at once: the handler runs once and its send is dispatched once`, async () => {
      runs = 0;
      const world = new MemoryWorld();
      const name = `copies-${kind.replace(/ /g, '-')}`;
      const shipping = `memory://${name}-shipping`;
      const { bus } = world.endpoint(
        name,
        { handlers: [SendsAFollowUp], idempotence: true, routes: [{ uri: shipping, specifications: [{ types: [ShipOrder] }] }], inbox: { threadCount: COPIES } as never },
        [new SlowFirstFlush()],
        (c) => c.rebind(TYPES.IdempotenceServiceFactory).toConstantValue(store!.idempotence({ groupCommit: kind.endsWith('group commit') })),
      );
      const dispatched: string[] = [];
      bus.events.on('messageDispatched', (tm) => {
        if (tm.messageType === 'test.ShipOrder') dispatched.push(tm.messageId);
      });
      // All copies wait in the queue before the endpoint starts, so its receive loops take them together.
      const client = world.endpoint(`${name}-client`);
      await client.bus.start();
      const sent = await client.bus.send(new PlaceOrder(`o-${kind}`), { recipient: `memory://${name}` });
      const queue = world.broker.create(`memory://${name}`);
      for (let i = 1; i < COPIES; i++) await queue.enqueue(sent, serializeTransportMessage(sent));
      const done = waitForEvents(bus.events, 'messageHandled').then(() => null);
      let settled = 0;
      const allSettled = new Promise<void>((resolve) => {
        const count = () => ++settled === COPIES && resolve();
        for (const e of ['messageHandled', 'messageFlushed', 'messageIgnored'] as const) bus.events.on(e, count);
      });
      await bus.start();
      await done;
      await allSettled;
      await world.stopAll();
      expect(runs).to.equal(1);
      expect(dispatched, 'dispatches of the follow-up').to.have.length(1);
      expect(world.messagesIn(`${name}-shipping`)).to.have.length(1);
    });
  });
}
