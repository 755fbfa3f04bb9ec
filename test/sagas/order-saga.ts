import { defineSaga } from '../../src/sagas/define-saga.js';
import type { SagaNotFoundPolicy } from '../../src/sagas/saga-types.js';
import { CancelOrder, OrderPlaced, PaymentDue, PaymentReceived, ShipOrder, StockReserved } from './saga-messages.js';

/** An order's saga state, with the values plain JSON would lose and a method. */
export class Order {
  orderId = '';
  paid = false;
  reserved = false;
  placedAt = new Date(0);
  total = 0n;
  notes = new Map<string, number>();
  starts = 0;
  created = 0;

  describe(): string {
    return `${this.orderId}: ${this.total} since ${this.placedAt.toISOString()}`;
  }
}

/** What the handlers saw of their restored data (types checked inside the handler). */
export const observed: { describe: string; date: boolean; bigint: boolean; map: boolean }[] = [];

export interface OrderSagaOptions {
  readonly timeoutAfter?: number;
  readonly keep?: string;
  readonly notFound?: SagaNotFoundPolicy;
}

/** The spec's example saga, named per test so each test's endpoint has its own instances. */
export function orderSaga(name: string, options: OrderSagaOptions = {}) {
  let builder = defineSaga(name, Order)
    .startedBy(OrderPlaced, (m) => m.orderId, async (ctx) => {
      const order = ctx.saga.data;
      order.starts++;
      if (ctx.saga.isNew) {
        order.created++;
        order.orderId = ctx.message.orderId;
        order.placedAt = new Date('2026-12-07T10:00:00.000Z');
        order.total = BigInt(ctx.message.amount) * 10n ** 20n;
        order.notes.set('placed', ctx.message.amount);
        await ctx.saga.requestTimeout(new PaymentDue(ctx.message.orderId), { after: options.timeoutAfter ?? 3_600_000 });
      }
    })
    .handles(PaymentReceived, (m) => m.orderId, async (ctx) => {
      const order = ctx.saga.data;
      observed.push({ describe: order.describe(), date: order.placedAt instanceof Date, bigint: typeof order.total === 'bigint', map: order.notes instanceof Map });
      order.paid = true;
      if (order.reserved) {
        await ctx.send(new ShipOrder(order.orderId));
        ctx.saga.complete();
      }
    })
    .handles(StockReserved, (m) => m.orderId, async (ctx) => {
      const order = ctx.saga.data;
      order.reserved = true;
      if (order.paid) {
        await ctx.send(new ShipOrder(order.orderId));
        ctx.saga.complete();
      }
    })
    .timeout(PaymentDue, async (ctx) => {
      await ctx.send(new CancelOrder(ctx.saga.data.orderId));
      ctx.saga.complete();
    });
  if (options.keep !== undefined) builder = builder.keepCompletedFor(options.keep);
  if (options.notFound !== undefined) builder = builder.whenNotFound(options.notFound);
  return builder.build();
}
