import { expect } from 'chai';
import { emptyTransportMessage, type TransportMessage } from '../../../src/envelope/transport-message.js';
import { OncebusError } from '../../../src/errors/oncebus-error.js';
import type { SendOptions } from '../../../src/handling/send-options.js';
import { type OutgoingKind, OutgoingMessageState } from '../../../src/pipelines/outgoing/outgoing-message-state.js';
import { RouteMessageObserver } from '../../../src/pipelines/outgoing/route-message-observer.js';
import { RouteTable } from '../../../src/routing/route-table.js';
import { MemorySubscriptionService } from '../../../src/subscriptions/memory-subscription-service.js';
import { QueueRegistry } from '../../../src/transport/queue-registry.js';
import { MemoryBroker } from '../../../src/transports/memory/index.js';
import { RabbitMqQueueFactory } from '../../../src/transports/rabbitmq/index.js';

// Routing decides where a message goes; a destination that did not come from the endpoint's configuration
// (a reply address, a subscriber, a recipient) must be on a broker it was configured for or trusts. The
// factory's queue objects connect lazily: nothing here connects anywhere.
describe('routing: destinations a message names are checked before anything is sent', () => {
  const subscriptions = new MemorySubscriptionService();
  const queues = new QueueRegistry([new RabbitMqQueueFactory(), new MemoryBroker()]);
  queues.check('rabbitmq://broker.internal/orders', 'inbox.workQueueUri');
  queues.trust('rabbitmq://partner.example:5673', 'trustedConnections[0]');
  const routes = new RouteTable([{ uri: 'rabbitmq://broker.internal/billing', specifications: [{ startsWith: 'billing.' }] }]);
  const observer = new RouteMessageObserver(routes, subscriptions, 'rabbitmq://broker.internal/orders', queues);

  async function route(kind: OutgoingKind, messageType: string, options: SendOptions = {}, replyTo = ''): Promise<string> {
    const received: TransportMessage = { ...emptyTransportMessage(), messageId: 'in-1', senderInboxWorkQueueUri: replyTo };
    const state = new OutgoingMessageState(kind, {}, options, { received, unitOfWork: null });
    state.transportMessage = { ...emptyTransportMessage(), messageType };
    try {
      await observer.execute(state);
      return state.recipients.join(' ');
    } catch (error) {
      return OncebusError.is(error) ? `${error.code} (${error.kind})` : String(error);
    }
  }

  it('refuses a reply to another broker, allows one to the configured or a trusted broker', async () => {
    expect(await route('reply', 'x.Pong', {}, 'rabbitmq://attacker.example/q')).to.equal('ONCEBUS_UNTRUSTED_DESTINATION (unreadable)');
    expect(await route('reply', 'x.Pong', {}, 'rabbitmq://broker.internal/client')).to.equal('rabbitmq://broker.internal/client');
    expect(await route('reply', 'x.Pong', {}, 'rabbitmq://partner.example:5673/client')).to.equal('rabbitmq://partner.example:5673/client');
    expect(await route('reply', 'x.Pong', {}, 'rabbitmq://partner.example/client'), 'another port is another broker').to.equal('ONCEBUS_UNTRUSTED_DESTINATION (unreadable)');
  });

  it('refuses a publish when one subscriber is on another broker (none is sent to), allows the others', async () => {
    await subscriptions.subscribe(['x.Good'], 'rabbitmq://broker.internal/a');
    await subscriptions.subscribe(['x.Good'], 'memory://b');
    expect(await route('publish', 'x.Good')).to.equal('rabbitmq://broker.internal/a memory://b');
    await subscriptions.subscribe(['x.Mixed'], 'rabbitmq://broker.internal/a');
    await subscriptions.subscribe(['x.Mixed'], 'rabbitmq://rogue.example/b');
    expect(await route('publish', 'x.Mixed')).to.equal('ONCEBUS_UNTRUSTED_DESTINATION (unreadable)');
  });

  it('checks an explicit recipient the same way; routes and the local inbox are configuration, so they need no trust', async () => {
    expect(await route('send', 'x.Cmd', { recipient: 'rabbitmq://attacker.example/q' })).to.equal('ONCEBUS_UNTRUSTED_DESTINATION (unreadable)');
    expect(await route('send', 'x.Cmd', { recipient: 'rabbitmq://broker.internal/other' })).to.equal('rabbitmq://broker.internal/other');
    expect(await route('send', 'billing.Invoice')).to.equal('rabbitmq://broker.internal/billing');
    expect(await route('send', 'x.Cmd', { local: true })).to.equal('rabbitmq://broker.internal/orders');
  });

  it('refuses a trustedConnections entry no factory serves, or one that does not parse, naming the setting', () => {
    const settingOf = (uri: string): string | undefined => {
      try {
        queues.trust(uri, 'trustedConnections[1]');
        return undefined;
      } catch (error) {
        return OncebusError.is(error) ? `${error.code} ${error.setting}` : String(error);
      }
    };
    expect(settingOf('amqp://host')).to.equal('ONCEBUS_CONFIGURATION trustedConnections[1]');
    expect(settingOf('rabbitmq://host?nope=1')).to.equal('ONCEBUS_CONFIGURATION trustedConnections[1]');
    expect(settingOf('rabbitmq://host')).to.equal(undefined);
  });
});
