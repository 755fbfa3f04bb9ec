import type { ServiceBusAdministrationClient } from '@azure/service-bus';
import { azureServiceBus } from './azure-driver.js';

/**
 * Creates entities. Azure creates queues, topics and subscriptions through an HTTPS admin API (not AMQP),
 * which many deployments leave to infrastructure code, so this is optional and pluggable.
 */
export interface IAzureServiceBusTopology {
  ensureQueue(name: string): Promise<void>;
  ensureSubscription(topic: string, subscription: string): Promise<void>;
}

/** The default: entities exist already (created by ARM/Bicep/Terraform or the portal). */
export class ExistingTopology implements IAzureServiceBusTopology {
  async ensureQueue(): Promise<void> {}
  async ensureSubscription(): Promise<void> {}
}

/**
 * Creates missing entities with the SDK's ServiceBusAdministrationClient (HTTPS). Not exercised in tests:
 * the admin API cannot be reached from the machines the tests run on, and the AMQP test broker does not
 * speak it.
 */
export class AdministrationClientTopology implements IAzureServiceBusTopology {
  private readonly admin: ServiceBusAdministrationClient;

  constructor(connectionString: string) {
    this.admin = new azureServiceBus.ServiceBusAdministrationClient(connectionString);
  }

  async ensureQueue(name: string): Promise<void> {
    if (!(await this.admin.queueExists(name))) await this.admin.createQueue(name);
  }

  async ensureSubscription(topic: string, subscription: string): Promise<void> {
    if (!(await this.admin.topicExists(topic))) await this.admin.createTopic(topic);
    if (!(await this.admin.subscriptionExists(topic, subscription))) await this.admin.createSubscription(topic, subscription);
  }
}
