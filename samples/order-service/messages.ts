import { messageType } from '../../src/index.js';

/** A command: the API sends it to the worker, in the same transaction as the order's row. */
@messageType('orders.PlaceOrder')
export class PlaceOrder {
  constructor(
    public orderId = '',
    public amount = 0,
  ) {}
}

/** An event: the worker publishes it once it has accepted the order; every subscriber gets a copy. */
@messageType('orders.OrderPlaced')
export class OrderPlaced {
  constructor(public orderId = '') {}
}
