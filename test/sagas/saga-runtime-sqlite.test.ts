import { describeSagaRuntimeContract } from './saga-runtime-contract.js';
import { runName, SQL_RUNS, sqliteRuntimeSubject } from './saga-runtime-sql-subjects.js';

for (const run of SQL_RUNS) describeSagaRuntimeContract(runName('sqlite', run), sqliteRuntimeSubject(run));
