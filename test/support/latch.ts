import type { BusEventMap, BusEvents } from '../../src/events/bus-events.js';

/**
 * Resolves when `count` events of `name` (matching `where`) have been emitted, or rejects after
 * `timeoutMs` with what was seen: scenario tests end on such a condition, never on a sleep.
 */
export function waitForEvents<K extends keyof BusEventMap>(
  events: BusEvents,
  name: K,
  count = 1,
  where: (...args: BusEventMap[K]) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<[BusEventMap[K], ...BusEventMap[K][]]> {
  return new Promise((resolve, reject) => {
    const seen: BusEventMap[K][] = [];
    const listener = (...args: BusEventMap[K]): void => {
      if (!where(...args)) return;
      seen.push(args);
      if (seen.length >= count) {
        clearTimeout(timer);
        events.off(name, listener as never);
        resolve(seen as [BusEventMap[K], ...BusEventMap[K][]]);
      }
    };
    const timer = setTimeout(() => {
      events.off(name, listener as never);
      reject(new Error(`timed out waiting for ${count} '${String(name)}' event(s); saw ${seen.length}`));
    }, timeoutMs);
    events.on(name, listener as never);
  });
}

/** Polls `condition` until true (bounded); for state that emits no event (queue contents). */
export async function eventually(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
