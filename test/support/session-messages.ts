import { messageType } from '../../src/messages/message-type.js';

// The transactional-session suites' messages: an order placed through a session, and the event it publishes.
@messageType('session.PlaceOrder')
export class SessionPlaceOrder {
  constructor(public orderId = '') {}
}

@messageType('session.OrderAccepted')
export class SessionOrderAccepted {
  constructor(public orderId = '') {}
}
