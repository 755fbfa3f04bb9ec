import type { MessageClass } from '../messages/message-type.js';

/** Which message types a route takes, by their stable names. */
export type RouteSpecification =
  | { readonly startsWith: string }
  | { readonly regex: string | RegExp }
  | { readonly types: readonly (MessageClass | string)[] };

export interface Route {
  /** The queue URI the matching messages are sent to. */
  readonly uri: string;
  readonly specifications: readonly RouteSpecification[];
}
