import { handlesMessage, type IHandlerContext, type IMessageHandler } from '../../src/index.js';
import { drizzleOnSqlite } from '../../src/orm/drizzle.js';
import type { SqliteTransaction } from '../../src/stores/sqlite/index.js';
import { InvoiceOrder } from './messages.js';
import { invoices } from './tables.js';

/** Billing: writes the invoice with Drizzle in the message's own transaction (idempotence on: once). */
@handlesMessage(InvoiceOrder)
export class InvoiceHandler implements IMessageHandler<InvoiceOrder, SqliteTransaction> {
  static invoiced: (orderId: string) => void = () => undefined;

  handle(ctx: IHandlerContext<InvoiceOrder, SqliteTransaction>): void {
    const { orderId, amount } = ctx.message;
    drizzleOnSqlite(ctx.transaction).insert(invoices).values({ orderId, amount, invoicedBy: ctx.transportMessage.messageId }).run();
    InvoiceHandler.invoiced(orderId);
  }
}
