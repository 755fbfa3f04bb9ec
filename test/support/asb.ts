import { randomUUID } from 'node:crypto';
import { AzureServiceBusQueueFactory } from '../../src/transports/azuresb/index.js';
import { AsbTestBroker } from './asb-broker/broker.js';
import type { EntityOptions } from './asb-broker/entities.js';

/** The test broker plus a factory whose connection 'test' points at it, with short SDK timeouts. */
export async function startAsb(options: { lockRenewalMs?: number } = {}): Promise<{ broker: AsbTestBroker; factory: AzureServiceBusQueueFactory; queue(opts?: EntityOptions): string; stop(): Promise<void> }> {
  const broker = new AsbTestBroker();
  await broker.start();
  const factory = new AzureServiceBusQueueFactory({
    connections: { test: broker.connectionString },
    retryOptions: { maxRetries: 2, retryDelayInMs: 100, timeoutInMs: 5000 },
    maxAutoLockRenewalDurationInMs: options.lockRenewalMs ?? 0,
    receiveWaitMs: 150,
  });
  return {
    broker,
    factory,
    /** Creates a queue on the broker and answers its name. */
    queue(opts?: EntityOptions): string {
      const name = `q-${randomUUID().slice(0, 8)}`;
      broker.createQueue(name, opts);
      return name;
    },
    async stop() {
      await factory.close();
      await broker.stop();
    },
  };
}
