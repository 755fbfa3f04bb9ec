import { deserializeTransportMessage } from '../../src/envelope/wire-format.js';
import type { Behaviour } from './sim-messages.js';
import { type EndpointName, type SimWorld, WORKER_ENDPOINTS } from './sim-world.js';

/** An order the client sent: what its handler will do, and whether it may expire before it is handled. */
export interface SentOrder {
  readonly orderId: string;
  readonly messageId: string;
  readonly behaviour: Behaviour;
  readonly mayExpire: boolean;
  /** Placed through a web process's transactional session (whose work may roll back), not sent by the client. */
  readonly session?: { readonly rollsBack: boolean };
}

const FOLLOW_UPS: readonly EndpointName[] = ['shipping', 'billing', 'audit', 'client'];

/**
 * What must hold after every run, whatever the seed did:
 * - each accepted order's effect happened exactly once, and so did each of its follow-ups at each recipient
 *   (a stored send delivered to every recipient: a publish reaches both subscribers); a poison order had no
 *   effect and sits in the error queue; an order that may have expired had its effect once or not at all,
 *   and its follow-ups exactly as often;
 * - an order placed through a transactional session exists (its 'web' effect) exactly when the session
 *   committed — never when its work threw — and then is handled like any other; one whose session did not
 *   commit reached nobody;
 * - no effect anywhere happened twice;
 * - everything settled: no message ready or in flight outside the error queues, no claim held, no
 *   transaction open, nothing stored unsent, no row left 'handled';
 * - in a run without crashes or faults, each follow-up was put on each recipient's queue once.
 */
export function checkRun(world: SimWorld, orders: readonly SentOrder[], calm: boolean): string[] {
  const problems: string[] = [];
  const effects = world.committedEffects();
  const count = new Map<string, number>();
  for (const e of effects) count.set(`${e.endpoint}/${e.orderId}`, (count.get(`${e.endpoint}/${e.orderId}`) ?? 0) + 1);
  for (const [key, n] of count) if (n > 1) problems.push(`duplicated effect: ${key} happened ${n} times`);

  const errorIds = new Set(world.broker.stateOf('memory://orders-error').ready.map((e) => deserializeTransportMessage(e.body).messageId));
  for (const order of orders) {
    const at = (endpoint: EndpointName) => count.get(`${endpoint}/${order.orderId}`) ?? 0;
    if (order.behaviour.poison && !(order.session && at('web') === 0)) {
      for (const endpoint of [...WORKER_ENDPOINTS, 'client' as const]) if (at(endpoint) !== 0) problems.push(`poison order ${order.orderId} had an effect at ${endpoint}`);
      // One that expired first is dropped instead: no effect either way.
      if (!errorIds.has(order.messageId) && !order.mayExpire) problems.push(`poison order ${order.orderId} is not in the error queue`);
      continue;
    }
    if (order.session) {
      // Its 'web' effect is the order's row: the order exists exactly when the session committed.
      const committed = at('web');
      if (order.session.rollsBack && committed > 0) problems.push(`session of ${order.orderId} threw, but its write committed`);
      if (committed === 0) {
        for (const endpoint of ['orders', ...FOLLOW_UPS] as const) if (at(endpoint) !== 0) problems.push(`order ${order.orderId} reached ${endpoint}, but its session never committed`);
        if (errorIds.has(order.messageId)) problems.push(`order ${order.orderId} is in the error queue, but its session never committed`);
        continue;
      }
    }
    const handled = at('orders');
    if (handled === 0 && !order.mayExpire) problems.push(`lost: order ${order.orderId} was never handled`);
    for (const endpoint of FOLLOW_UPS) {
      if (endpoint === 'client' && order.session) continue; // nobody to reply to
      if (at(endpoint) !== handled) problems.push(`order ${order.orderId}: handled ${handled} time(s), but its follow-up at ${endpoint} ${at(endpoint)} time(s)`);
    }
  }
  const poison = new Set(orders.filter((o) => o.behaviour.poison).map((o) => o.messageId));
  for (const id of errorIds) if (!poison.has(id)) problems.push(`message ${id} in the orders error queue is no poison order`);

  for (const name of world.broker.queueNames()) {
    const state = world.broker.stateOf(`memory://${name}`);
    if (state.inFlight.size > 0) problems.push(`queue ${name}: ${state.inFlight.size} message(s) still in flight`);
    if (!name.endsWith('-error') && state.ready.length > 0) problems.push(`queue ${name}: ${state.ready.length} message(s) never handled`);
    if (name.endsWith('-error') && name !== 'orders-error' && state.ready.length > 0) problems.push(`queue ${name}: ${state.ready.length} message(s) in an error queue`);
  }
  problems.push(...world.storeProblems());
  if (calm) {
    for (const [key, n] of world.dispatches) if (n !== 1) problems.push(`without crashes or faults, ${key} was dispatched ${n} times`);
  }
  return problems;
}
