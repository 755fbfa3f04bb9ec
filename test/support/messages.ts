import { messageType } from '../../src/messages/message-type.js';

@messageType('test.PlaceOrder')
export class PlaceOrder {
  constructor(
    public orderId = '',
    public amount = 0,
  ) {}
}

@messageType('test.OrderPlaced')
export class OrderPlaced {
  constructor(public orderId = '') {}
}

@messageType('test.ShipOrder')
export class ShipOrder {
  constructor(public orderId = '') {}
}

@messageType('test.Ping')
export class Ping {
  constructor(public n = 0) {}
}

@messageType('test.Pong')
export class Pong {
  constructor(public n = 0) {}
}
