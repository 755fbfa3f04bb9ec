import { messageType } from '../../src/messages/message-type.js';

@messageType('sagatest.OrderPlaced')
export class OrderPlaced {
  constructor(
    public orderId = '',
    public amount = 0,
  ) {}
}

@messageType('sagatest.PaymentReceived')
export class PaymentReceived {
  constructor(public orderId = '') {}
}

@messageType('sagatest.StockReserved')
export class StockReserved {
  constructor(public orderId = '') {}
}

@messageType('sagatest.PaymentDue')
export class PaymentDue {
  constructor(public orderId = '') {}
}

@messageType('sagatest.ShipOrder')
export class ShipOrder {
  constructor(public orderId = '') {}
}

@messageType('sagatest.CancelOrder')
export class CancelOrder {
  constructor(public orderId = '') {}
}

@messageType('sagatest.Increment')
export class Increment {
  constructor(
    public key = '',
    public n = 0,
  ) {}
}
