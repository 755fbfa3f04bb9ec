import { describeSagaRuntimeContract } from './saga-runtime-contract.js';
import { postgresRuntimeSubject, runName, SQL_RUNS } from './saga-runtime-sql-subjects.js';

for (const run of SQL_RUNS) describeSagaRuntimeContract(runName('postgres', run), postgresRuntimeSubject(run));
