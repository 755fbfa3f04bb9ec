import { messageType } from '../../src/index.js';

// Events the fulfilment saga listens to. Each names its order: that is the saga's correlation value.

/** Sales accepted an order: starts an OrderFulfilment saga. */
@messageType('shop.OrderPlaced')
export class OrderPlaced {
  constructor(public orderId = '') {}
}

/** The payment provider confirmed the payment (it may confirm twice). */
@messageType('shop.PaymentReceived')
export class PaymentReceived {
  constructor(
    public orderId = '',
    public amount = 0,
  ) {}
}

/** The warehouse put the order's items aside. */
@messageType('shop.StockReserved')
export class StockReserved {
  constructor(public orderId = '') {}
}

/** The saga's own timeout: the order is still unpaid when it comes due. */
@messageType('shop.PaymentDue')
export class PaymentDue {
  constructor(public orderId = '') {}
}

// Commands the saga sends.

/** To the warehouse: paid and reserved, so ship it. */
@messageType('shop.ShipOrder')
export class ShipOrder {
  constructor(public orderId = '') {}
}

/** To the warehouse: give back what was reserved for a cancelled order (nothing, if nothing was). */
@messageType('shop.ReleaseStock')
export class ReleaseStock {
  constructor(public orderId = '') {}
}

/** To sales: the order was not paid in time. */
@messageType('shop.CancelOrder')
export class CancelOrder {
  constructor(
    public orderId = '',
    public reason = '',
  ) {}
}
