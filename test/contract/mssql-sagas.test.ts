import { randomUUID } from 'node:crypto';
import { SqlSagaPersister } from '../../src/sagas/persistence/sql-saga-persister.js';
import { MssqlStore } from '../../src/stores/mssql/index.js';
import { describeSagaPersisterContract } from './saga-persister-contract.js';

// SQL Server cannot run on these machines. With MSSQL_CONNECTION_STRING set, the saga persister contract
// runs against it; otherwise it is reported as skipped ("SQL Server not exercised"), never as passed. The
// statements themselves are pinned down in test/unit/sagas/sql-saga-statements.test.ts.
const cs = process.env.MSSQL_CONNECTION_STRING;

describeSagaPersisterContract('mssql', {
  skipReason: cs ? undefined : 'SQL Server not exercised (set MSSQL_CONNECTION_STRING to run the contract against one)',
  persister: () => new SqlSagaPersister(),
  loadWaits: false, // loads take no lock: a second unit of work meets the first at its save (version check)
  open: async () => {
    const schema = `t_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const store = new MssqlStore({ connectionString: cs!, schema });
    const table = `${schema}.sagas`;
    return {
      factory: store.idempotence(),
      dialect: 'mssql',
      sagasTable: table,
      committed: async (sagaType, correlationId) =>
        (await store.database.query(`SELECT 1 AS found FROM ${table} WHERE saga_type = @p1 AND correlation_id = @p2`, [sagaType, correlationId])).length > 0,
      close: () => store.close(),
    };
  },
});
