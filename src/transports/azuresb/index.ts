export { AzureServiceBusQueueFactory, type AzureServiceBusOptions } from './azuresb-queue-factory.js';
export { AzureServiceBusQueue } from './azuresb-queue.js';
export { parseAzureServiceBusUri, type AzureServiceBusAddress } from './azuresb-uri.js';
export { AdministrationClientTopology, ExistingTopology, type IAzureServiceBusTopology } from './azuresb-topology.js';
export { EntityNotFoundError, LockLostError, ServiceBusTransportError, mapServiceBusError } from './azuresb-errors.js';
export type { AzureQueueSettings } from './azuresb-queue.js';
