import { randomUUID } from 'node:crypto';
import { MssqlStore } from '../../src/stores/mssql/index.js';
import { describeIdempotenceServiceContract, FLUSH_LEASE_MS } from './idempotence-contract.js';

// SQL Server cannot run on these machines. With MSSQL_CONNECTION_STRING set, the idempotence contract
// runs against it; otherwise it is reported as skipped ("SQL Server not exercised"), never as passed.
const cs = process.env.MSSQL_CONNECTION_STRING;

describeIdempotenceServiceContract('mssql', {
  skipReason: cs ? undefined : 'SQL Server not exercised (set MSSQL_CONNECTION_STRING to run the contract against one)',
  open: async () => {
    const schema = `t_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const store = new MssqlStore({ connectionString: cs!, schema });
    return { factory: store.idempotence({ flushLeaseMs: FLUSH_LEASE_MS }), close: () => store.close() };
  },
});
