import type sql from 'mssql';
import { mssqlDriver } from './mssql-driver.js';
import { TransactionMisuseError } from '../../errors/errors.js';
import { type HandleLease, refuseTransactionControl } from '../sql/handle-lease.js';

/** Request methods that send statements. */
const SENDS = new Set(['query', 'batch', 'execute']);

/**
 * A handler's `ctx.transaction` on SQL Server: the mssql Transaction of its unit of work, seen through
 * `lease`. `request()` gives requests that work while the unit of work is open; `commit`, `rollback` and
 * `begin` are refused, and so is transaction control in statement text — the transaction belongs to oncebus.
 */
export function guardedTransaction(transaction: sql.Transaction, lease: HandleLease): sql.Transaction {
  return new Proxy(transaction, {
    get(target, property) {
      if (property === 'commit' || property === 'rollback' || property === 'begin') {
        return () => {
          throw new TransactionMisuseError(`a handler may not ${String(property)} its unit of work's transaction`, 'to fail the message, throw');
        };
      }
      if (property === 'request') {
        return () => {
          lease.check();
          return guardedRequest(new mssqlDriver.Request(target), lease);
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function guardedRequest(request: sql.Request, lease: HandleLease): sql.Request {
  const guarded: sql.Request = new Proxy(request, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      const method = value as (...a: unknown[]) => unknown;
      // input() and output() return the request for chaining: the guarded one.
      if (!SENDS.has(property as string)) return (...args: unknown[]) => {
        const result = method.apply(target, args);
        return result === target ? guarded : result;
      };
      return (...args: unknown[]) => {
        try {
          lease.check();
          if (property !== 'execute') refuseTransactionControl(args[0]);
        } catch (error) {
          return Promise.reject(error); // these methods answer with a promise, a refusal too
        }
        const result = method.apply(target, args);
        return result instanceof Promise ? lease.track(result) : result;
      };
    },
  });
  return guarded;
}
