// Type-level tests of defineSaga: compiled with the rest (tsc fails the build if one breaks), never run.
import { defineSaga, type SagaDefinition } from '../../src/sagas/index.js';
import { OrderPlaced, PaymentDue, PaymentReceived } from '../sagas/saga-messages.js';

class Fulfilment {
  orderId = '';
  paid = false;
}

export const typed: SagaDefinition<Fulfilment> = defineSaga('TypedFulfilment', Fulfilment)
  .startedBy(OrderPlaced, (m) => m.orderId, async (ctx) => {
    const id: string = ctx.message.orderId;
    const amount: number = ctx.message.amount;
    ctx.saga.data.orderId = id;
    // @ts-expect-error the data is typed by the data class
    ctx.saga.data.paid = amount;
    // @ts-expect-error the message is typed by its class
    void ctx.message.nope;
    // @ts-expect-error the instance id is read-only
    ctx.saga.id = 'x';
    await ctx.saga.requestTimeout(new PaymentDue(id), { after: '15m' });
  })
  // @ts-expect-error the correlation function receives the message's own type
  .handles(PaymentReceived, (m) => m.amount, (ctx) => {
    ctx.saga.data.paid = true;
  })
  .timeout(PaymentDue, (ctx) => {
    const id: string = ctx.message.orderId;
    // @ts-expect-error a correlation value is a string, number or bigint
    void defineSaga('Bad', Fulfilment).startedBy(OrderPlaced, (m) => ({ id: m.orderId }), () => undefined);
    void id;
  })
  // @ts-expect-error one of three policies
  .whenNotFound('drop')
  .build();

// The generated handlers go straight into the endpoint's handlers.
export const handlers: import('../../src/index.js').EndpointOptions['handlers'] = typed.handlers;
