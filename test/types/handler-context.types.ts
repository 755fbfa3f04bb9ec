// Type-level tests: compiled with the rest (tsc fails the build if one breaks), never run.
import type { IHandlerContext, IMessageHandler } from '../../src/index.js';
import type { MemoryTransaction } from '../../src/index.js';
import { PlaceOrder } from '../support/messages.js';

export class TypedHandler implements IMessageHandler<PlaceOrder, MemoryTransaction> {
  handle(ctx: IHandlerContext<PlaceOrder, MemoryTransaction>): void {
    const id: string = ctx.message.orderId;
    ctx.transaction.onCommit(() => id);
    // @ts-expect-error the message is typed: no such field
    void ctx.message.nope;
    // @ts-expect-error the transaction is typed per store
    void ctx.transaction.query;
    // @ts-expect-error failure handling is one of three words
    ctx.failureHandling = 'ignore';
  }
}

export const asHandler: IMessageHandler<PlaceOrder> = { handle: () => undefined };
void PlaceOrder;
