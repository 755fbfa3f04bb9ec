import { AzureServiceBusQueueFactory } from '../../../src/transports/azuresb/index.js';
import { describeQueueContract } from '../../contract/queue-contract.js';
import { startAsb } from '../../support/asb.js';

// The real @azure/service-bus client against the AMQP test broker. Locks are short (a closed consumer's
// locks are not released on Azure: they expire, and so do they here).
let asb: Awaited<ReturnType<typeof startAsb>> | null = null;
describeQueueContract('azuresb:// (real SDK, AMQP test broker)', {
  open: async (name) => {
    asb ??= await startAsb();
    if (!asb.broker.queues.has(name)) asb.broker.createQueue(name, { lockDurationMs: 1000 });
    return asb.factory.create(`azuresb://test/${name}`);
  },
  after: async () => {
    await asb?.stop();
    asb = null;
  },
});

// Live mode: the same contract against a real namespace when ASB_CONNECTION_STRING and ASB_QUEUE are set.
const live = process.env.ASB_CONNECTION_STRING;
const liveQueue = process.env.ASB_QUEUE;
let liveFactory: AzureServiceBusQueueFactory | null = null;
if (live && liveQueue) {
  describeQueueContract('azuresb:// (live Azure namespace)', {
    open: () => {
      liveFactory ??= new AzureServiceBusQueueFactory({ connections: { live } });
      return liveFactory.create(`azuresb://live/${liveQueue}`);
    },
    after: async () => liveFactory?.close(),
  });
} else {
  describe('queue contract: azuresb:// (live Azure namespace)', () => {
    it('runs against a real namespace when ASB_CONNECTION_STRING and ASB_QUEUE are set', function () {
      console.log('      skipped: Azure Service Bus not exercised against the real service');
      this.skip();
    });
  });
}
