import type pg from 'pg';
import { TransactionMisuseError } from '../../errors/errors.js';
import { type HandleLease, refuseTransactionControl } from '../sql/handle-lease.js';

/** The text of what `client.query` was given: a string, a QueryConfig or a Submittable. */
const textOf = (query: unknown): unknown => (typeof query === 'string' ? query : (query as { text?: unknown } | null)?.text);

/**
 * A handler's `ctx.transaction` on PostgreSQL: the pool client of its unit of work, seen through `lease`.
 * `query` works while the unit of work is open (and is counted while it runs); transaction control and
 * `release()` are refused — the client, and the transaction on it, belong to oncebus.
 */
export function guardedClient(client: pg.PoolClient, lease: HandleLease): pg.PoolClient {
  return new Proxy(client, {
    get(target, property) {
      if (property === 'query') {
        return (...args: unknown[]) => {
          try {
            lease.check();
            refuseTransactionControl(textOf(args[0]));
          } catch (error) {
            // query() answers with a promise (or a callback): a refusal does too, never a synchronous throw.
            const callback = args.at(-1);
            if (typeof callback === 'function') return void callback(error);
            return Promise.reject(error);
          }
          const result = (target.query as (...a: unknown[]) => unknown)(...args);
          return result instanceof Promise ? lease.track(result) : result;
        };
      }
      if (property === 'release') {
        return () => {
          throw new TransactionMisuseError("a handler may not release its unit of work's client", 'oncebus returns it to the pool when the unit of work ends');
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
