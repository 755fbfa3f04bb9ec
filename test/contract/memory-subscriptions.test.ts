import { MemorySubscriptionService } from '../../src/subscriptions/memory-subscription-service.js';
import { describeSubscriptionContract } from './subscription-contract.js';

describeSubscriptionContract('memory', {
  open: async () => {
    // In process, the endpoints of a test share one instance: a peer is the same one.
    const service = new MemorySubscriptionService();
    const handle = { service, close: async () => undefined };
    return { ...handle, peer: async () => handle };
  },
});
