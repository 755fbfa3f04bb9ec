import { expect } from 'chai';
import { QuoteGiven, RequestQuote } from '../../samples/rabbitmq-request-reply/messages.js';
import { RequestQuoteHandler } from '../../samples/rabbitmq-request-reply/quote-handler.js';
import type { PostgresTransaction } from '../../src/stores/postgres/index.js';
import { HandlerTestContext } from '../../src/testing/index.js';

// The request/reply sample's handler, tested without PostgreSQL or RabbitMQ: a stub transaction records
// the statement, the context records the reply and where it would go.
describe('oncebus/testing: HandlerTestContext (the request/reply sample’s RequestQuoteHandler)', () => {
  it('records the quote in the transaction and replies to the sender with the price', async () => {
    const statements: unknown[][] = [];
    const transaction = { query: async (text: string, values: unknown[]) => void statements.push([text, ...values]) } as unknown as PostgresTransaction;
    const ctx = new HandlerTestContext(new RequestQuote('sku-7', 4), {
      transaction,
      transportMessage: { messageId: 'q-1', senderInboxWorkQueueUri: 'rabbitmq://localhost/quote-client' },
    });
    await new RequestQuoteHandler().handle(ctx);
    expect(statements).to.deep.equal([['INSERT INTO quote_server.quotes (message_id, sku, price) VALUES ($1, $2, $3)', 'q-1', 'sku-7', 12]]);
    expect(ctx.replied.map((r) => [r.message, r.transportMessage.recipientInboxWorkQueueUri])).to.deep.equal([[new QuoteGiven('sku-7', 12), 'rabbitmq://localhost/quote-client']]);
    expect(ctx.sent).to.deep.equal([]);
  });
});
