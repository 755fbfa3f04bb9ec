import { expect } from 'chai';
import { InvalidMessageError } from '../../src/errors/errors.js';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import { messageType } from '../../src/messages/message-type.js';
import { waitForEvents } from '../support/latch.js';
import { MemoryWorld } from '../support/memory-endpoint.js';

@messageType('test.Invoice')
class Invoice {
  constructor(
    public issuedAt = new Date(0),
    public totalCents = 0n,
    public tags = new Set<string>(),
    public lines = new Map<string, number>(),
  ) {}
}

const received: Invoice[] = [];
@handlesMessage(Invoice)
class InvoiceHandler implements IMessageHandler<Invoice> {
  handle(ctx: IHandlerContext<Invoice>): void {
    received.push(ctx.message);
  }
}

describe('scenario: message contracts — what is sent is what the handler gets, and what is not a message is refused', () => {
  const world = new MemoryWorld();
  after(() => world.stopAll());

  it('a Date, a bigint, a Set and a Map arrive as themselves', async () => {
    const { bus } = world.endpoint('contracts', { handlers: [InvoiceHandler] });
    await bus.start();
    const handled = waitForEvents(bus.events, 'messageHandled');
    const sent = new Invoice(new Date('2026-12-03T07:00:00Z'), 9007199254740993n, new Set(['vip']), new Map([['sku-1', 2]]));
    await bus.send(sent, { local: true });
    await handled;
    const [got] = received;
    expect(got).to.be.instanceOf(Invoice);
    expect(got!.issuedAt).to.be.instanceOf(Date);
    expect(got!.issuedAt.toISOString()).to.equal('2026-12-03T07:00:00.000Z');
    expect(got!.totalCents).to.equal(9007199254740993n);
    expect([...got!.tags]).to.deep.equal(['vip']);
    expect([...got!.lines]).to.deep.equal([['sku-1', 2]]);
  });

  it('refuses null, a primitive, a list and a plain object with an error that says what to do', async () => {
    const { bus } = world.endpoint('refuses', { handlers: [InvoiceHandler] });
    await bus.start();
    for (const [value, what] of [
      [null, 'null'],
      [undefined, 'undefined'],
      [42, 'a number'],
      [[1], 'a list'],
      [{ orderId: 'A-1' }, 'a plain object'],
    ] as const) {
      const error = await bus.send(value as unknown as object, { local: true }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, what).to.be.instanceOf(InvalidMessageError);
      expect((error as Error).message).to.equal(
        `cannot send ${what}: a message is an instance of a class with a message type name — declare a class, decorate it with @messageType('shop.PlaceOrder'), and send an instance: bus.send(new PlaceOrder(...))`,
      );
    }
  });

  it('sends under a messageId the caller chose, and a receiver with idempotence handles a re-send of it once', async () => {
    received.length = 0;
    const { bus } = world.endpoint('chosen-id', { handlers: [InvoiceHandler], idempotence: true });
    await bus.start();
    const twice = waitForEvents(bus.events, 'messageIgnored');
    const first = await bus.send(new Invoice(), { local: true, messageId: 'invoice-2026-0001' });
    await bus.send(new Invoice(), { local: true, messageId: 'invoice-2026-0001' });
    await twice;
    expect(first.messageId).to.equal('invoice-2026-0001');
    expect(received).to.have.length(1);
  });

  it('refuses a chosen messageId no store could key', async () => {
    const { bus } = world.endpoint('bad-id', { handlers: [InvoiceHandler] });
    await bus.start();
    for (const id of ['', 'x'.repeat(201), 'a\u0000b']) {
      const error = await bus.send(new Invoice(), { local: true, messageId: id }).then(
        () => null,
        (e: unknown) => e,
      );
      expect((error as Error).message, JSON.stringify(id)).to.match(/^messageId: /);
    }
  });
});
