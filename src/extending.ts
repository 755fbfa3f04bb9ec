// Types that public classes refer to — the parts an extension module, a store dialect or a transport
// works with — so that every signature in the API reference leads somewhere. Types only: nothing here
// adds to what the package runs.
export type { ResolvedEndpointOptions, ResolvedInbox, ResolvedQueueProcessing } from './config/resolved-options.js';
export type { QueueRegistry } from './transport/queue-registry.js';
export type { AesKeyRing } from './codecs/aes256gcm-encryption.js';
export type { OncebusErrorOptions } from './errors/oncebus-error.js';
export type { HandlerRegistry, HandlerResolver } from './handling/handler-registry.js';
export type { MemoryIdempotenceService, MemoryRow, MemoryUnitOfWork } from './idempotence/memory/index.js';
export type { RowStatus } from './idempotence/memory/memory-idempotence-store.js';
export type { MessageTypeRegistry } from './messages/message-type-registry.js';
export type { Step } from './pipeline/pipeline.js';
export type { DeferredMessageState } from './pipelines/deferred/deferred-message-state.js';
export type { LifecycleState, Processor } from './pipelines/lifecycle/lifecycle-state.js';
export type { OutgoingKind } from './pipelines/outgoing/outgoing-message-state.js';
export type { RouteTable } from './routing/route-table.js';
export type { MemoryQueueState } from './transports/memory/index.js';
export type { MemoryQueueEntry } from './transports/memory/memory-queue.js';
