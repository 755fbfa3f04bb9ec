import { handlesMessage, type IHandlerContext, type IMessageHandler } from '../../src/index.js';
import type { PostgresTransaction } from '../../src/stores/postgres/index.js';
import { QuoteGiven, RequestQuote } from './messages.js';

/** Prices a quote, records it in the unit of work's transaction, and replies (sent after the commit). */
@handlesMessage(RequestQuote)
export class RequestQuoteHandler implements IMessageHandler<RequestQuote, PostgresTransaction> {
  async handle(ctx: IHandlerContext<RequestQuote, PostgresTransaction>): Promise<void> {
    const price = ctx.message.quantity * 3;
    await ctx.transaction.query('INSERT INTO quote_server.quotes (message_id, sku, price) VALUES ($1, $2, $3)', [
      ctx.transportMessage.messageId,
      ctx.message.sku,
      price,
    ]);
    await ctx.reply(new QuoteGiven(ctx.message.sku, price));
  }
}

