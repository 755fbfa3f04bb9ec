import type { Attributes, Meter } from '@opentelemetry/api';
import type { EndpointServices } from '../modules/endpoint-services.js';
import type { IOncebusModule, PipelineBuilders } from '../modules/oncebus-module.js';
import type { IdempotenceEvents } from '../idempotence/idempotence-events.js';
import { ProcessingStatus } from '../idempotence/idempotence-service.js';
import { sagaOutcomeOf } from '../sagas/saga-outcome.js';
import { isCountQueue } from '../transport/queue.js';
import { idempotenceOutcome, systemOf } from './message-attributes.js';
import { otel } from './otel-api.js';

export interface MetricsOptions {
  /** Default: the global provider's meter named 'oncebus' (a no-op until an SDK is registered). */
  readonly meter?: Meter;
}

/**
 * OpenTelemetry metrics for an endpoint (bind it as a TYPES.Module): messages sent and consumed and the
 * processing duration under the semantic conventions' names, and what only a once-only bus can show —
 * duplicates skipped by reason, how long a claim waited, how long committed sends waited to go out (flush
 * lag) and how many are still owed, retries, error-queue moves, group-commit batch sizes and COMMIT times,
 * rows purged by retention, receive-loop pauses — and the inbox's depth where the transport can count.
 */
export class MetricsModule implements IOncebusModule {
  private readonly meter: Meter;

  constructor(options: MetricsOptions = {}) {
    this.meter = options.meter ?? otel.metrics.getMeter('oncebus');
  }

  register(pipelines: PipelineBuilders, services: EndpointServices): void {
    const m = this.meter;
    const endpoint = { 'messaging.destination.name': services.address, 'messaging.system': systemOf(services.address) };
    const sent = m.createCounter('messaging.client.sent.messages', { unit: '{message}', description: 'Messages put on a queue (stored sends when flushed)' });
    const consumed = m.createCounter('messaging.client.consumed.messages', { unit: '{message}', description: 'Copies received, by idempotence outcome' });
    const duration = m.createHistogram('messaging.process.duration', { unit: 's', description: 'From a received copy read to its settlement' });
    const duplicates = m.createCounter('oncebus.duplicates.skipped', { unit: '{message}', description: "Copies whose handler idempotence did not run again, by reason: 'completed' (done before), 'handled' (committed before; only its sends flushed) or 'waited' (behind a concurrent copy's flush)" });
    const claimWait = m.createHistogram('oncebus.claim.wait', { unit: 's', description: 'The idempotence check: begin and claim, waiting on a concurrent copy included' });
    const flushLag = m.createHistogram('oncebus.flush.lag', { unit: 's', description: "From a handler's commit to the dispatch of each send it stored" });
    const retries = m.createCounter('oncebus.retries', { unit: '{message}', description: 'Retry copies scheduled' });
    const errorQueue = m.createCounter('oncebus.error_queue.moves', { unit: '{message}', description: 'Messages moved to the error queue' });
    const sagaStarted = m.createCounter('oncebus.saga.started', { unit: '{instance}', description: 'Saga instances started, by saga type (counted when the starting message committed)' });
    const sagaCompleted = m.createCounter('oncebus.saga.completed', { unit: '{instance}', description: 'Saga instances completed, by saga type (counted when the completing message committed)' });
    const sagaTimeouts = m.createCounter('oncebus.saga.timeouts_fired', { unit: '{timeout}', description: 'Saga timeouts run by their instance, by saga type (when committed; not those dropped as superseded, cancelled or late)' });

    const committedAt = new Map<string, number>();
    const now = () => performance.now();
    const enabled = services.idempotence.enabled;

    // From the envelope read to the settlement, failure handling included.
    pipelines.inbox.addAroundStep({
      around: 'onAfterDeserializeTransportMessage',
      name: 'metrics: processing duration',
      run: async (state, next) => {
        const from = now();
        try {
          await next();
        } finally {
          const outcome = enabled ? { 'oncebus.idempotence.outcome': idempotenceOutcome(state.status, state.waitedForCopy) } : {};
          if (enabled && state.status !== ProcessingStatus.Assigned && state.exception === undefined) {
            duplicates.add(1, { ...endpoint, 'oncebus.reason': outcome['oncebus.idempotence.outcome']! });
          }
          const failed = state.exception !== undefined ? { 'error.type': (state.exception as Error)?.name ?? 'Error' } : {};
          consumed.add(1, { ...endpoint, ...outcome, ...failed });
          duration.record((now() - from) / 1000, { ...endpoint, ...failed });
          committedAt.delete(state.transportMessage.messageId);
        }
      },
    });
    if (enabled) {
      pipelines.inbox.addAroundStep({
        around: 'onCheckIdempotence',
        through: 'onCheckIdempotence',
        name: 'metrics: claim wait',
        run: async (_state, next) => {
          const from = now();
          await next();
          claimWait.record((now() - from) / 1000, endpoint);
        },
      });
    }
    // The flush of each stored send runs in another pipeline: its lag is found by the message it was sent from.
    pipelines.inbox.addObserver({ event: 'onAfterCommitUnitOfWork', execute: (state) => void committedAt.set(state.transportMessage.messageId, now()) });
    // A saga's step counts once its unit of work committed: one that failed or lost a race is retried and
    // counted when it commits; a failure after the commit (a flush) does not run the saga again on redelivery.
    pipelines.inbox.addObserver({
      event: 'onAfterCommitUnitOfWork',
      execute: (state) => {
        const saga = sagaOutcomeOf(state.transportMessage);
        if (!saga) return;
        const byType = { ...endpoint, 'oncebus.saga.type': saga.sagaType };
        if (saga.started) sagaStarted.add(1, byType);
        if (saga.completed) sagaCompleted.add(1, byType);
        if (saga.timeoutFired) sagaTimeouts.add(1, byType);
      },
    });
    services.events.on('messageDispatched', (tm) => {
      sent.add(1, { 'messaging.destination.name': tm.recipientInboxWorkQueueUri, 'messaging.system': systemOf(tm.recipientInboxWorkQueueUri) });
      const committed = tm.messageReceivedId ? committedAt.get(tm.messageReceivedId) : undefined;
      if (committed !== undefined) flushLag.record((now() - committed) / 1000, endpoint);
    });
    services.events.on('messageRetried', () => retries.add(1, endpoint));
    services.events.on('messageSentToErrorQueue', () => errorQueue.add(1, endpoint));
    const backOffs = m.createCounter('oncebus.receive.back_offs', { unit: '{pause}', description: 'Receive-loop pauses, by reason: idle (empty queue), failure (a receive failed), released (a message released or put aside)' });
    services.events.on('receiveBackOff', (loop, reason) => backOffs.add(1, { ...endpoint, 'oncebus.loop': loop.slice(0, loop.indexOf('[')), 'oncebus.reason': reason }));
    this.registerStore(services, endpoint);

    const idempotence = services.idempotence;
    const admin = idempotence.enabled ? idempotence.admin : undefined;
    if (admin) {
      const pending = m.createObservableGauge('oncebus.sends.pending', { unit: '{message}', description: 'Stored sends committed and not yet dispatched (one per recipient)' });
      const age = m.createObservableGauge('oncebus.sends.pending.age', { unit: 's', description: 'How long the oldest message owing sends has owed them (0 when none)' });
      m.addBatchObservableCallback(async (result) => {
        const found = await admin.pendingSends().catch(() => null);
        if (!found) return;
        result.observe(pending, found.count, endpoint);
        result.observe(age, found.oldestClaimedAt === null ? 0 : Math.max(0, (Date.now() - found.oldestClaimedAt) / 1000), endpoint);
      }, [pending, age]);
    }

    const inbox = services.options.inbox;
    if (inbox) {
      const depth = m.createObservableGauge('oncebus.queue.depth', { unit: '{message}', description: "Messages waiting in the endpoint's inbox (where the transport can count)" });
      depth.addCallback(async (result) => {
        const queue = services.queues.sender(inbox.workQueueUri);
        if (isCountQueue(queue)) result.observe(await queue.count().catch(() => 0), endpoint);
      });
    }
  }

  /** Group-commit batches of this endpoint, and retention purges (counted once per store, however many endpoints share it). */
  private registerStore(services: EndpointServices, endpoint: Attributes): void {
    const events = services.idempotence.enabled ? services.idempotence.admin?.events : undefined;
    if (!events) return;
    const m = this.meter;
    const inboxUri = services.idempotence.inboxWorkQueueUri;
    const batchSize = m.createHistogram('oncebus.group_commit.batch.size', { unit: '{message}', description: "Messages whose work one group-commit transaction committed", advice: { explicitBucketBoundaries: [1, 2, 4, 8, 16, 32, 64, 128, 256] } });
    const commitDuration = m.createHistogram('oncebus.group_commit.commit.duration', { unit: 's', description: "A group-commit transaction's COMMIT" });
    events.on('batchCommitted', (uri, size, seconds) => {
      if (uri !== inboxUri) return;
      batchSize.record(size, endpoint);
      commitDuration.record(seconds, endpoint);
    });
    const counted = purgesCounted.get(events) ?? new WeakSet<Meter>();
    purgesCounted.set(events, counted);
    if (counted.has(m)) return;
    counted.add(m);
    const purged = m.createCounter('oncebus.retention.purged', { unit: '{row}', description: 'Completed idempotence rows removed by retention (for the whole store)' });
    events.on('rowsPurged', (rows) => purged.add(rows));
  }
}

/** The meters already counting a store's purges: endpoints sharing one store count them once. */
const purgesCounted = new WeakMap<IdempotenceEvents, WeakSet<Meter>>();
