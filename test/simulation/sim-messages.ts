import { messageType } from '../../src/messages/message-type.js';

/** How an order's handler behaves, decided by the seed when the order is made. */
export interface Behaviour {
  /** Attempts that throw before one succeeds. */
  readonly failures: number;
  /** Every attempt throws: the order ends in the error queue. */
  readonly poison: boolean;
  /** The first attempt hangs, ignoring its signal, until handlerTimeout gives it up. */
  readonly hangs: boolean;
  /** Virtual milliseconds the handler takes. */
  readonly slowMs: number;
  /**
   * Its body inflates past the orders endpoint's maxMessageSize (SIM_MAX_MESSAGE_SIZE): it goes to the
   * error queue unhandled, as it came, and the operator deletes it (no repair makes it fit).
   */
  readonly oversized?: boolean;
}

/** Every endpoint's maxMessageSize in the simulator; an oversized order's body is twice that (as gzip, a few dozen bytes). */
export const SIM_MAX_MESSAGE_SIZE = 16 * 1024;

@messageType('sim.PlaceOrder')
export class PlaceOrder {
  constructor(
    public orderId = '',
    public behaviour: Behaviour = { failures: 0, poison: false, hangs: false, slowMs: 0 },
    public padding = '',
  ) {}
}

/** Sent by the orders handler to shipping (one recipient). */
@messageType('sim.ShipOrder')
export class ShipOrder {
  constructor(public orderId = '') {}
}

/** Published by the orders handler to every subscriber (several recipients, one messageId). */
@messageType('sim.OrderPlaced')
export class OrderPlaced {
  constructor(public orderId = '') {}
}

/** The orders handler's reply to the client. */
@messageType('sim.OrderAccepted')
export class OrderAccepted {
  constructor(public orderId = '') {}
}
