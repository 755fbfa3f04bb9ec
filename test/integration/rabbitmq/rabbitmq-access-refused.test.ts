import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { OncebusError } from '../../../src/errors/oncebus-error.js';
import { isCountQueue } from '../../../src/transport/queue.js';
import { RabbitMqQueueFactory } from '../../../src/transports/rabbitmq/index.js';
import { requireService } from '../../support/integration.js';
import { RABBITMQ_URL, rabbitAvailable } from '../../support/rabbitmq.js';
import { envelope } from './rabbitmq-stream.js';

/** What the first operation on `uri` fails with, and how long it took. */
async function firstFailure(uri: string): Promise<{ error: OncebusError; took: number }> {
  // Attempts 2 s apart: a refusal that is retried takes seconds, one that fails fast a few milliseconds.
  const factory = new RabbitMqQueueFactory({ connectAttempts: 5, reconnectDelayMs: 2000 });
  try {
    const queue = factory.create(uri);
    const started = Date.now();
    let error: unknown;
    await queue.enqueue(envelope('x'), Buffer.from('x')).catch((e: unknown) => (error = e));
    const took = Date.now() - started;
    expect(error, 'the send fails').to.be.instanceOf(Error);
    // A counting tool (errors ingest, the dashboard's depths) is told the same.
    let counted: unknown;
    if (isCountQueue(queue)) await queue.count().catch((e: unknown) => (counted = e));
    expect((counted as OncebusError | undefined)?.code).to.equal((error as OncebusError).code);
    return { error: error as OncebusError, took };
  } finally {
    await factory.close();
  }
}

describe('RabbitMQ: wrong credentials or a missing vhost fail at once, saying which, not as an outage', function () {
  this.timeout(20_000);
  const broker = new URL(RABBITMQ_URL);
  const queue = `refused-${randomUUID().slice(0, 8)}`;

  before(async function () {
    requireService(this, 'RabbitMQ', await rabbitAvailable());
  });

  it('a wrong password: BrokerAccessRefusedError (login) naming the user and password, no connect retries, password masked', async () => {
    const { error, took } = await firstFailure(`rabbitmq://${broker.username}:not-the-password@${broker.host}/${queue}`);
    expect(error.code).to.equal('ONCEBUS_BROKER_ACCESS_REFUSED');
    expect(error.hint).to.match(/wrong user or password/);
    expect(error.hint).to.not.match(/outageTimeoutMs|running and reachable/);
    expect(error.message).to.not.include('not-the-password');
    expect(took, 'no retries 2 s apart').to.be.below(1500);
  });

  it('an unknown user gets the same answer', async () => {
    const { error } = await firstFailure(`rabbitmq://nobody-${randomUUID().slice(0, 6)}:x@${broker.host}/${queue}`);
    expect(error.code).to.equal('ONCEBUS_BROKER_ACCESS_REFUSED');
    expect(error.hint).to.match(/wrong user or password/);
  });

  it('a missing vhost: BrokerAccessRefusedError (vhost) naming the vhost, no connect retries', async () => {
    const { error, took } = await firstFailure(`rabbitmq://${broker.username}:${broker.password}@${broker.host}/no-such-vhost-${randomUUID().slice(0, 6)}/${queue}`);
    expect(error.code).to.equal('ONCEBUS_BROKER_ACCESS_REFUSED');
    expect(error.hint).to.match(/missing virtual host/);
    expect(error.hint).to.not.match(/outageTimeoutMs|running and reachable/);
    expect(took, 'no retries 2 s apart').to.be.below(1500);
  });
});
