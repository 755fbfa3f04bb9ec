/**
 * Container tokens. Symbol.for, so two copies of oncebus in one process still agree on them.
 * Bind any number of QueueFactory and Module; one of each of the others (all optional but the options).
 */
export const TYPES = {
  ServiceBus: Symbol.for('oncebus.ServiceBus'),
  EndpointOptions: Symbol.for('oncebus.EndpointOptions'),
  QueueFactory: Symbol.for('oncebus.QueueFactory'),
  IdempotenceServiceFactory: Symbol.for('oncebus.IdempotenceServiceFactory'),
  SubscriptionService: Symbol.for('oncebus.SubscriptionService'),
  Serializer: Symbol.for('oncebus.Serializer'),
  CodecRegistry: Symbol.for('oncebus.CodecRegistry'),
  Logger: Symbol.for('oncebus.Logger'),
  Module: Symbol.for('oncebus.Module'),
  Clock: Symbol.for('oncebus.Clock'),
} as const;
