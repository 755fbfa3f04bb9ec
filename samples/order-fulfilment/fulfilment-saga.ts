import { defineSaga, type SagaContext } from '../../src/sagas/index.js';
import { CancelOrder, OrderPlaced, PaymentDue, PaymentReceived, ReleaseStock, ShipOrder, StockReserved } from './messages.js';
import type { Narrator } from './narrator.js';

/** How long an order may stay unpaid: the business rule. The demo and its test pass a shorter one. */
export const PAYMENT_TIMEOUT_DEFAULT = '15m';

/**
 * The saga's data: what it knows about one order between messages. Stored (serialized) in the saga's row
 * and restored onto a `new OrderFulfilment()` before each message, so defaults and methods work.
 */
export class OrderFulfilment {
  orderId = '';
  paid = false;
  reserved = false;
  amountPaid = 0;

  progress(): string {
    return `paid: ${this.paid ? 'yes' : 'no'}, reserved: ${this.reserved ? 'yes' : 'no'}`;
  }
}

/** The name the PaymentDue timeout is requested under (the default would be its type name, 'shop.PaymentDue'). */
const PAYMENT_DUE = 'payment-due';

export interface FulfilmentOptions {
  /** `after` of the PaymentDue timeout: milliseconds or a duration ('3s'); default PAYMENT_TIMEOUT_DEFAULT. */
  readonly paymentTimeout?: number | string;
  readonly narrator: Narrator;
}

/**
 * One OrderFulfilment saga per order (correlated by orderId): it waits for the payment and the stock in
 * either order, ships once it has both, and cancels the order if the payment is not in when PaymentDue
 * comes. Each message is one unit of work: the saga's new state, the commands it sends and its timeout
 * request commit together with the message's idempotence record, or not at all.
 */
export function defineOrderFulfilment({ paymentTimeout = PAYMENT_TIMEOUT_DEFAULT, narrator }: FulfilmentOptions) {
  const say = (saga: { readonly id: string }, what: string) => narrator.say('fulfilment', `${what}  (saga ${saga.id.slice(0, 8)})`);
  return defineSaga('OrderFulfilment', OrderFulfilment)
    .startedBy(OrderPlaced, (m) => m.orderId, async (ctx) => {
      const { saga } = ctx;
      saga.data.orderId = ctx.message.orderId;
      // Replaced if requested again under its name, dropped if cancelled or once the saga completed: it runs at most once.
      await saga.requestTimeout(new PaymentDue(ctx.message.orderId), { after: paymentTimeout, name: PAYMENT_DUE });
      say(saga, `OrderPlaced ${ctx.message.orderId}: a new saga; payment due in ${paymentTimeout}`);
    })
    .handles(PaymentReceived, (m) => m.orderId, async (ctx) => {
      const { saga } = ctx;
      if (saga.data.paid) {
        // A second notification from the payment provider (a new message, so idempotence cannot know).
        say(saga, `PaymentReceived ${ctx.message.orderId} again: already paid, nothing changes`);
        return;
      }
      saga.data.paid = true;
      saga.data.amountPaid = ctx.message.amount;
      saga.cancelTimeout(PAYMENT_DUE); // it will still come, and be dropped unseen
      say(saga, `PaymentReceived ${ctx.message.orderId}: ${saga.data.progress()} (loaded from the store)`);
      await shipIfReady(ctx);
    })
    .handles(StockReserved, (m) => m.orderId, async (ctx) => {
      const { saga } = ctx;
      saga.data.reserved = true;
      say(saga, `StockReserved ${ctx.message.orderId}: ${saga.data.progress()} (loaded from the store)`);
      await shipIfReady(ctx);
    })
    .timeout(PaymentDue, async (ctx) => {
      const { saga } = ctx;
      // Only a live, unpaid order gets here: a PaymentDue cancelled by the payment is dropped unseen.
      say(saga, `PaymentDue ${saga.data.orderId}: still unpaid (${saga.data.progress()}) → CancelOrder, ReleaseStock`);
      await ctx.send(new CancelOrder(saga.data.orderId, 'not paid in time'));
      await ctx.send(new ReleaseStock(saga.data.orderId));
      saga.complete();
    })
    .build();

  async function shipIfReady(ctx: SagaContext<object, OrderFulfilment>): Promise<void> {
    const { saga } = ctx;
    if (!saga.data.paid || !saga.data.reserved) return;
    await ctx.send(new ShipOrder(saga.data.orderId));
    saga.complete();
    say(saga, `${saga.data.orderId} is paid and reserved → ShipOrder; the saga completes`);
  }
}
