import { SqlSagaPersister } from '../../src/sagas/persistence/sql-saga-persister.js';
import { openPostgresStore, postgresAvailable } from '../support/sql-subjects.js';
import { describeSagaPersisterContract } from './saga-persister-contract.js';

describeSagaPersisterContract('postgres', {
  available: postgresAvailable,
  persister: () => new SqlSagaPersister(),
  loadWaits: true, // SELECT … FOR UPDATE
  open: async () => {
    const store = openPostgresStore();
    const table = `${store.schema}.sagas`;
    return {
      factory: store.idempotence(),
      groupCommit: store.idempotence({ groupCommit: true }),
      dialect: 'postgres',
      sagasTable: table,
      committed: async (sagaType, correlationId) =>
        (await store.database.query(`SELECT 1 AS found FROM ${table} WHERE saga_type = $1 AND correlation_id = $2`, [sagaType, correlationId])).length > 0,
      close: () => store.dispose(),
    };
  },
});
