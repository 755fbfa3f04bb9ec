// What the page keeps between refreshes, shared by its modules.
import type { SessionAnswer } from '../api-types.js';

export const state: {
  /** GET /api/session's answer, once loaded. */
  session: SessionAnswer | null;
  /** An action (return, delete) is on its way: polls wait. */
  acting: boolean;
  /** Re-renders what changed (set by app.ts; an action calls it when done). */
  refresh: () => Promise<void>;
} = {
  session: null,
  acting: false,
  refresh: async () => undefined,
};

/** The session, which every view has once loaded. */
export function session(): SessionAnswer {
  if (state.session === null) throw new Error('the session is not loaded yet');
  return state.session;
}

/** An element of the page's own markup (index.html), by id. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found as T;
}
