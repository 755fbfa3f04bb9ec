export { MssqlStore, type MssqlStoreOptions } from './mssql-store.js';
export { MssqlDatabase, type MssqlConnectionOptions } from './mssql-database.js';
export { DeadlockError, DuplicateKeyError, MssqlStoreError, mapMssqlError } from './mssql-errors.js';
export { mssqlType, bindParameters } from './mssql-parameters.js';
export { SqlIdempotenceStore, type SqlIdempotenceOptions } from '../sql/sql-idempotence-store.js';
