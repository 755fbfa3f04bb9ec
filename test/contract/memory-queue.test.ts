import { MemoryBroker } from '../../src/transports/memory/index.js';
import { describeQueueContract } from './queue-contract.js';

const broker = new MemoryBroker();
describeQueueContract('memory://', { open: (name) => broker.create(`memory://${name}`), supportsPriority: true });
