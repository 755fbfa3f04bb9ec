import type { Behaviour } from './sim-messages.js';
import type { EndpointName, SimWorld } from './sim-world.js';

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
 *   (a stored send delivered to every recipient: a publish reaches both subscribers); an order that may have
 *   expired had its effect once or not at all, and its follow-ups exactly as often;
 * - a poison order went to the error queue, was ingested into the operations store as one record, repaired
 *   and returned (that record 'returned'), and from there was handled like any other order: once;
 * - an oversized order (its body inflates past maxMessageSize) was never handled, and reached the operations
 *   store as one record, which the operator deleted ('archived');
 * - an order placed through a transactional session exists (its 'web' effect) exactly when the session
 *   committed — never when its work threw — and then is handled like any other; one whose session did not
 *   commit reached nobody;
 * - no effect anywhere happened twice;
 * - everything settled: no message ready or in flight (the error queues drained too), no claim held, no
 *   transaction open, nothing stored unsent, no row left 'handled', no failed message left unresolved or
 *   'returning';
 * - in a run without crashes or faults, each follow-up was put on each recipient's queue once, and each
 *   failed message returned at most once for each time it failed.
 */
export function checkRun(world: SimWorld, orders: readonly SentOrder[], calm: boolean): string[] {
  const problems: string[] = [];
  const effects = world.committedEffects();
  const count = new Map<string, number>();
  for (const e of effects) count.set(`${e.endpoint}/${e.orderId}`, (count.get(`${e.endpoint}/${e.orderId}`) ?? 0) + 1);
  for (const [key, n] of count) if (n > 1) problems.push(`duplicated effect: ${key} happened ${n} times`);

  const records = world.failedMessages();
  const recordsOf = (messageId: string) => records.filter((r) => r.messageId === messageId);
  for (const order of orders) {
    const at = (endpoint: EndpointName) => count.get(`${endpoint}/${order.orderId}`) ?? 0;
    if (order.behaviour.oversized) {
      // Too large once inflated: never handled; one record (none if it expired first), deleted by the operator.
      const mine = recordsOf(order.messageId);
      if (mine.length > 1) problems.push(`oversized order ${order.orderId} has ${mine.length} failed-message records`);
      if (mine.length === 0 && !order.mayExpire) problems.push(`oversized order ${order.orderId} never reached the operations store`);
      for (const r of mine) if (r.status !== 'archived') problems.push(`oversized order ${order.orderId}: its failed-message record is '${r.status}'`);
      for (const endpoint of ['orders', ...FOLLOW_UPS] as const) if (at(endpoint) !== 0) problems.push(`oversized order ${order.orderId} reached ${endpoint}`);
      continue;
    }
    if (order.behaviour.poison && !(order.session && at('web') === 0)) {
      // It failed every attempt until the operator repaired it: one record, returned, whatever crashed.
      // (One that expired before it failed three times never reached the error queue: no record.)
      const mine = recordsOf(order.messageId);
      if (mine.length > 1) problems.push(`poison order ${order.orderId} has ${mine.length} failed-message records`);
      if (mine.length === 0 && !order.mayExpire) problems.push(`poison order ${order.orderId} never reached the operations store`);
      for (const r of mine) if (r.status !== 'returned') problems.push(`poison order ${order.orderId}: its failed-message record is '${r.status}'`);
    }
    if (order.session) {
      // Its 'web' effect is the order's row: the order exists exactly when the session committed.
      const committed = at('web');
      if (order.session.rollsBack && committed > 0) problems.push(`session of ${order.orderId} threw, but its write committed`);
      if (committed === 0) {
        for (const endpoint of ['orders', ...FOLLOW_UPS] as const) if (at(endpoint) !== 0) problems.push(`order ${order.orderId} reached ${endpoint}, but its session never committed`);
        if (recordsOf(order.messageId).length > 0) problems.push(`order ${order.orderId} failed into the error queue, but its session never committed`);
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
  const failing = new Set(orders.filter((o) => o.behaviour.poison || o.behaviour.oversized).map((o) => o.messageId));
  for (const r of records) {
    if (!failing.has(r.messageId)) problems.push(`failed message ${r.messageId} (from ${r.sourceQueue}) is no poison or oversized order`);
    if (r.sourceQueue !== 'memory://orders') problems.push(`failed message ${r.messageId} came from ${r.sourceQueue}`);
  }

  for (const name of world.broker.queueNames()) {
    const state = world.broker.stateOf(`memory://${name}`);
    if (state.inFlight.size > 0) problems.push(`queue ${name}: ${state.inFlight.size} message(s) still in flight`);
    if (state.ready.length > 0) problems.push(`queue ${name}: ${state.ready.length} message(s) never ${name.endsWith('-error') ? 'ingested' : 'handled'}`);
  }
  problems.push(...world.storeProblems());
  if (calm) {
    for (const [key, n] of world.dispatches) if (n !== 1) problems.push(`without crashes or faults, ${key} was dispatched ${n} times`);
    // Each time a copy failed into the error queue it may be returned once (duplicates fail apart), no more.
    for (const [key, n] of world.returns) {
      // Counted as ingested (a record's timesFailed counts attempts, several per copy).
      const failed = world.failuresIngested.get(key.split(' → ')[0]!) ?? 0;
      if (n > failed) problems.push(`without crashes or faults, the return ${key} was sent ${n} times for ${failed} failure(s)`);
    }
  }
  return problems;
}
