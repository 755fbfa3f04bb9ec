import { messageType } from '../../src/index.js';

/** Sent by the web process, in the same transaction as the order's row. */
@messageType('shop.InvoiceOrder')
export class InvoiceOrder {
  constructor(
    public orderId = '',
    public amount = 0,
  ) {}
}
