import { expect } from 'chai';
import type { IOncebusModule, PipelineBuilders } from '../../src/modules/oncebus-module.js';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import type { InboxMessageState } from '../../src/pipelines/inbox/inbox-message-state.js';
import { waitForEvents } from '../support/latch.js';
import { MemoryWorld } from '../support/memory-endpoint.js';
import { PlaceOrder } from '../support/messages.js';

let runs = 0;

@handlesMessage(PlaceOrder)
class CountingHandler implements IMessageHandler<PlaceOrder> {
  handle(_ctx: IHandlerContext<PlaceOrder>): void {
    runs++;
  }
}

/** An extension that aborts the first message it sees right after the idempotence check (a claim is held then). */
class AbortOnceAfterClaim implements IOncebusModule {
  aborted = 0;
  register(pipelines: PipelineBuilders): void {
    pipelines.inbox.addObserver({
      event: 'onBeforeHandleMessage',
      execute: (state: InboxMessageState) => {
        if (this.aborted++ === 0) state.aborted = true;
      },
    });
  }
}

describe('scenario: an extension that aborts the pipeline mid-way leaks neither the unit of work nor the message', () => {
  const world = new MemoryWorld();
  after(() => world.stopAll());

  it('rolls the unit of work back (its claim is freed) and releases the message, which is then handled once', async () => {
    const abort = new AbortOnceAfterClaim();
    const sales = world.endpoint('abort-sales', { handlers: [CountingHandler], idempotence: true }, [abort]);
    await sales.bus.start();
    const released = waitForEvents(sales.bus.events, 'messageReleased', 1, () => true, 5000);
    const handled = waitForEvents(sales.bus.events, 'messageHandled', 1, () => true, 5000);
    const sent = await sales.bus.send(new PlaceOrder('a1'), { local: true });
    await handled;
    await released;
    expect(abort.aborted, 'the first delivery was aborted, the second went through').to.equal(2);
    expect(runs).to.equal(1);
    expect(world.idempotence.rows.get(`memory://abort-sales\u0000${sent.messageId}`)?.status).to.equal('completed');
    expect(world.count('abort-sales'), 'nothing left in flight').to.equal(0);
  });
});
