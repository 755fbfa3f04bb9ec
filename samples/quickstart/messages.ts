import { messageType } from '../../src/index.js';

@messageType('shop.PlaceOrder')
export class PlaceOrder {
  constructor(
    public orderId = '',
    public amount = 0,
  ) {}
}

@messageType('shop.OrderPlaced')
export class OrderPlaced {
  constructor(
    public orderId = '',
    public amount = 0,
  ) {}
}
