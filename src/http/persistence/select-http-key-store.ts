import { ConfigurationError } from '../../errors/errors.js';
import { MemoryUnitOfWork } from '../../idempotence/memory/index.js';
import { type ITransactionalSession, sessionUnitOfWork } from '../../sessions/transactional-session.js';
import type { IHttpKeyStore } from './http-key-store.js';
import { MemoryHttpKeyStore } from './memory-http-key-store.js';
import { SqlHttpKeyStore } from './sql-http-key-store.js';

const sql = new SqlHttpKeyStore();
const memory = new MemoryHttpKeyStore();

/**
 * The key store for the idempotence store a session runs on: a SQL store's session offers `records`, the
 * memory store's runs on a MemoryUnitOfWork. Neither keeps state per store in the instance, so one of each
 * serves every bus.
 */
export function selectHttpKeyStore(session: ITransactionalSession): IHttpKeyStore {
  if (session.records !== undefined) return sql;
  if (sessionUnitOfWork(session) instanceof MemoryUnitOfWork) return memory;
  throw new ConfigurationError('idempotence store', 'HTTP Idempotency-Keys cannot be kept in this idempotence store', {
    hint: 'use the SQLite, PostgreSQL or SQL Server store (SqliteStore, PostgresStore, MssqlStore) or MemoryIdempotenceStore',
  });
}
