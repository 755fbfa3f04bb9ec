import { expect } from 'chai';
import { checkSettings, InvalidSettingsError } from '../../../src/config/check-settings.js';
import { endpointSettingsSchema } from '../../../src/config/endpoint-schema.js';

// A RabbitMQ queue's type in a settings file: checked by the schema (and by the JSON Schema an editor uses).
describe('settings: a RabbitMQ queue URI with queueType', () => {
  const settings = (workQueueUri: string) => ({ inbox: { workQueueUri, errorQueueUri: 'rabbitmq://h1:5701,h2:5702/orders-error?queueType=quorum' } });

  for (const uri of ['rabbitmq://h/orders?queueType=quorum', 'rabbitmq://h1:5701,h2:5702/orders?prefetch=5&queueType=classic', 'rabbitmq://h/orders', 'sqlite://default/q?queueType=anything']) {
    it(`accepts ${uri}`, () => expect(() => checkSettings(endpointSettingsSchema, settings(uri), 'orders.json')).not.to.throw());
  }

  for (const uri of ['rabbitmq://h/orders?queueType=quorom', 'RabbitMQs://h/orders?prefetch=5&queueType=stream', 'rabbitmq://h/orders?queueType=']) {
    it(`refuses ${uri}, naming the setting`, () => {
      let error: unknown;
      try {
        checkSettings(endpointSettingsSchema, settings(uri), 'orders.json');
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(InvalidSettingsError);
      expect((error as InvalidSettingsError).problems.map((p) => p.setting)).to.deep.equal(['inbox.workQueueUri']);
      expect((error as InvalidSettingsError).problems[0]?.problem).to.match(/queueType is 'classic' or 'quorum'/);
    });
  }
});
