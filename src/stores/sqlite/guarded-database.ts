import type Database from 'better-sqlite3';
import { TransactionMisuseError } from '../../errors/errors.js';
import { type HandleLease, refuseTransactionControl } from '../sql/handle-lease.js';

/** Statement methods that touch the database. */
const RUNS = new Set(['run', 'get', 'all', 'iterate']);

/**
 * A handler's `ctx.transaction` on SQLite: the better-sqlite3 Database, seen through `lease`. It is the
 * process's one connection, shared by every unit of work in turn, so after its unit of work has ended a
 * call — or a statement prepared earlier — would write into another message's transaction: refused.
 * Transaction control (`exec('COMMIT')`, a statement that begins or ends one) and `close()` are refused;
 * `db.transaction(fn)` works, as a savepoint inside the unit of work.
 */
export function guardedDatabase(db: Database.Database, lease: HandleLease): Database.Database {
  return new Proxy(db, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (property === 'close') {
        return () => {
          throw new TransactionMisuseError("a handler may not close its unit of work's database", 'oncebus owns the connection');
        };
      }
      if (typeof value !== 'function') return value;
      const method = value as (...a: unknown[]) => unknown;
      if (property === 'prepare') {
        return (source: string) => {
          lease.check();
          refuseTransactionControl(source);
          return guardedStatement(method.call(target, source) as Database.Statement, lease);
        };
      }
      if (property === 'exec') {
        return (source: string) => {
          lease.check();
          for (const statement of source.split(';')) refuseTransactionControl(statement);
          return method.call(target, source);
        };
      }
      return (...args: unknown[]) => {
        lease.check();
        return method.apply(target, args);
      };
    },
  });
}

function guardedStatement(statement: Database.Statement, lease: HandleLease): Database.Statement {
  return new Proxy(statement, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      const method = value as (...a: unknown[]) => unknown;
      if (!RUNS.has(property as string)) return method.bind(target);
      return (...args: unknown[]) => {
        lease.check();
        return method.apply(target, args);
      };
    },
  });
}
