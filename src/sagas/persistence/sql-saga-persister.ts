import type { ISagaPersister, StoredSaga } from '../saga-persister.js';

// Placeholder until the SQL persister (branch saga-sql) lands: it replaces this file.
const notYet = (): never => {
  throw new Error('not yet: the SQL saga persister is not built');
};

export class SqlSagaPersister implements ISagaPersister {
  findByCorrelation(): Promise<StoredSaga | undefined> {
    return notYet();
  }
  findById(): Promise<StoredSaga | undefined> {
    return notYet();
  }
  insert(): Promise<boolean> {
    return notYet();
  }
  update(): Promise<boolean> {
    return notYet();
  }
  remove(): Promise<boolean> {
    return notYet();
  }
}
