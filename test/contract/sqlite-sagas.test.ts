import { SqlSagaPersister } from '../../src/sagas/persistence/sql-saga-persister.js';
import { openSqliteStore } from '../support/sql-subjects.js';
import { describeSagaPersisterContract } from './saga-persister-contract.js';

describeSagaPersisterContract('sqlite', {
  persister: () => new SqlSagaPersister(),
  loadWaits: true, // one writer at a time: a second unit of work begins once the first has ended
  open: async () => {
    const store = openSqliteStore();
    return {
      factory: store.idempotence(),
      groupCommit: store.idempotence({ groupCommit: true }),
      dialect: 'sqlite',
      sagasTable: 'oncebus_sagas',
      // A plain SELECT reads on the read-only connection: what is committed, whatever unit of work is open.
      committed: async (sagaType, correlationId) =>
        (await store.database.query('SELECT 1 AS found FROM oncebus_sagas WHERE saga_type = $1 AND correlation_id = $2', [sagaType, correlationId])).length > 0,
      close: () => store.dispose(),
    };
  },
});
