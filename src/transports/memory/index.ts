export { MemoryBroker } from './memory-queue-factory.js';
export { MemoryQueue, MemoryQueueState } from './memory-queue.js';
export { PriorityFifo } from './priority-fifo.js';
