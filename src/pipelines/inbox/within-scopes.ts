import type { HandlerScope } from '../../modules/endpoint-services.js';
import type { InboxMessageState } from './inbox-message-state.js';

/**
 * Runs `run` inside the modules' scopes for this message (EndpointServices.handlerScopes), outermost first:
 * the handler call, and what oncebus logs about its failure, so a scope's context (the message's span)
 * covers both.
 */
export function withinScopes(scopes: readonly HandlerScope[], state: InboxMessageState, run: () => Promise<void>): Promise<void> {
  let scoped = run;
  for (let i = scopes.length - 1; i >= 0; i--) {
    const scope = scopes[i]!;
    const inner = scoped;
    scoped = () => scope(state, inner);
  }
  return scoped();
}
