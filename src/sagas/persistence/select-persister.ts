import { ConfigurationError } from '../../errors/errors.js';
import { MemoryUnitOfWork } from '../../idempotence/memory/index.js';
import type { IUnitOfWork } from '../../idempotence/unit-of-work.js';
import type { ISagaPersister } from '../saga-persister.js';
import { MemorySagaPersister } from './memory-saga-persister.js';
import { SqlSagaPersister } from './sql-saga-persister.js';

const sql = new SqlSagaPersister();
const memory = new MemorySagaPersister();

/**
 * The persister for the store a unit of work belongs to: a SQL store's unit of work offers `records`
 * (statements on its own transaction), the memory store's is a MemoryUnitOfWork. Both persisters keep no
 * state per store in the instance, so one of each serves every endpoint.
 */
export function selectSagaPersister(uow: IUnitOfWork, sagaType: string): ISagaPersister {
  if ((uow as { readonly records?: unknown }).records !== undefined) return sql;
  if (uow instanceof MemoryUnitOfWork) return memory;
  throw new ConfigurationError('idempotence', `saga '${sagaType}' cannot keep its instances in this idempotence store (${uow.storeId})`, {
    hint: 'use the memory, SQLite, PostgreSQL or SQL Server store, or give SagaModule a persister of your own: new SagaModule({ persister })',
  });
}
