import { MemorySubscriptionService } from '../../src/subscriptions/memory-subscription-service.js';
import { describeSubscriptionContract } from './subscription-contract.js';

describeSubscriptionContract('memory', { open: async () => ({ service: new MemorySubscriptionService(), close: async () => undefined }) });
