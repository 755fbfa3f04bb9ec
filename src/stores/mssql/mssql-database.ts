import { randomUUID } from 'node:crypto';
import type sql from 'mssql';
import { mssqlDriver } from './mssql-driver.js';
import { maskSecrets } from '../../secrets/mask-secrets.js';
import type { SqlDatabase, SqlTransaction } from '../sql/sql-database.js';
import { ConnectionBudget } from '../sql/connection-budget.js';
import type { HandleLease } from '../sql/handle-lease.js';
import { guardedTransaction } from './guarded-transaction.js';
import { isMssqlConnectionFailure, mapMssqlError } from './mssql-errors.js';
import { bindParameters } from './mssql-parameters.js';

export interface MssqlConnectionOptions {
  /** An mssql/tedious connection string (`Server=…;Database=…;User Id=…;Password=…;Encrypt=true`). */
  readonly connectionString: string;
}

/**
 * SQL Server through an mssql ConnectionPool (connected on first use). Every statement binds its values
 * as @p1… with explicit types; driver errors are mapped by SQL Server error number (mssql-errors.ts).
 */
export class MssqlDatabase implements SqlDatabase {
  readonly id = `mssql:${randomUUID()}`;
  readonly dialect = 'mssql' as const;
  readonly name: string;
  private readonly pool: sql.ConnectionPool;
  readonly budget: ConnectionBudget;
  private connected: Promise<sql.ConnectionPool> | null = null;

  constructor(options: MssqlConnectionOptions) {
    this.name = maskSecrets(options.connectionString);
    this.pool = new mssqlDriver.ConnectionPool(options.connectionString);
    // mssql's pool holds at most 10 connections unless the connection string says otherwise (Max Pool Size).
    const max = (this.pool as unknown as { config?: { pool?: { max?: number } } }).config?.pool?.max ?? 10;
    this.budget = new ConnectionBudget(max, `SQL Server (${this.name})`, 'connectionString (Max Pool Size)');
    this.pool.on('error', () => {
      // A pooled connection broke; the pool replaces it on demand.
    });
  }

  async query<R extends object>(text: string, params: readonly unknown[] = []): Promise<R[]> {
    const request = (await this.connect()).request();
    return run(request, text, params, this.name).then((r) => (r.recordset ?? []) as R[]);
  }

  async execute(text: string, params: readonly unknown[] = []): Promise<number> {
    const request = (await this.connect()).request();
    return run(request, text, params, this.name).then(affected);
  }

  isConnectionFailure(error: unknown): boolean {
    return isMssqlConnectionFailure(error);
  }

  async begin(): Promise<SqlTransaction> {
    const tx = new mssqlDriver.Transaction(await this.connect());
    try {
      await tx.begin();
    } catch (error) {
      throw mapMssqlError(error, this.name);
    }
    return new MssqlTransaction(tx, this.name);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  private connect(): Promise<sql.ConnectionPool> {
    this.connected ??= this.pool.connect().catch((error: unknown) => {
      this.connected = null;
      throw mapMssqlError(error, this.name);
    });
    return this.connected;
  }
}

async function run(request: sql.Request, text: string, params: readonly unknown[], where: string): Promise<sql.IResult<unknown>> {
  bindParameters(request, params);
  try {
    return await request.query(text);
  } catch (error) {
    throw mapMssqlError(error, where);
  }
}

const affected = (r: sql.IResult<unknown>): number => r.rowsAffected.reduce((a, b) => a + b, 0);

class MssqlTransaction implements SqlTransaction {
  private done = false;

  constructor(
    readonly native: sql.Transaction,
    private readonly name: string,
  ) {}

  async query<R extends object>(text: string, params: readonly unknown[] = []): Promise<R[]> {
    return run(new mssqlDriver.Request(this.native), text, params, this.name).then((r) => (r.recordset ?? []) as R[]);
  }

  async execute(text: string, params: readonly unknown[] = []): Promise<number> {
    return run(new mssqlDriver.Request(this.native), text, params, this.name).then(affected);
  }

  handle(lease: HandleLease): sql.Transaction {
    return guardedTransaction(this.native, lease);
  }

  async commit(): Promise<void> {
    this.done = true;
    try {
      await this.native.commit();
    } catch (error) {
      throw mapMssqlError(error, this.name);
    }
  }

  async rollback(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.native.rollback().catch(() => undefined);
  }
}
