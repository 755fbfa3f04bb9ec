export { messageType, messageTypeNameOf, type MessageClass } from './message-type.js';
export { MessageTypeRegistry, materialize } from './message-type-registry.js';
