import type { IPipelineObserver } from '../../pipeline/pipeline.js';
import { isCreateQueue } from '../../transport/queue.js';
import type { LifecycleState } from './lifecycle-state.js';

/** Creates the endpoint's own queues (and routed ones) where the transport can, when `createQueues` is on. */
export class CreateQueuesObserver implements IPipelineObserver<LifecycleState> {
  readonly event = 'onCreateQueues';

  async execute(state: LifecycleState): Promise<void> {
    const { options, queues, routes } = state.services;
    if (!options.createQueues) return;
    const { inbox, outbox } = options;
    const uris = [inbox?.workQueueUri, inbox?.errorQueueUri, inbox?.deferredQueueUri, outbox?.workQueueUri, outbox?.errorQueueUri, ...routes.uris];
    for (const uri of new Set(uris)) {
      if (!uri) continue;
      const q = queues.sender(uri);
      if (isCreateQueue(q)) await q.create();
    }
  }
}
