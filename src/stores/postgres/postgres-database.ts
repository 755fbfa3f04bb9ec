import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { requireDriver } from '../../drivers/require-driver.js';
import { OncebusError, StoreError, TransactionAbortedError } from '../../errors/errors.js';
import { rolledBackAtCommit, type SqlDatabase, type SqlTransaction } from '../sql/sql-database.js';
import type { HandleLease } from '../sql/handle-lease.js';
import { ConnectionBudget } from '../sql/connection-budget.js';
import { maskSecrets } from '../../secrets/mask-secrets.js';
import { guardedClient } from './guarded-client.js';
import { postgresHint } from './postgres-hints.js';
import { isPgConnectionFailure } from './pg-connection-failure.js';
import { runPipeline } from './postgres-pipeline.js';
import { parseHostList } from './postgres-host-list.js';
import { failoverClientClass, PostgresHostRouter } from './postgres-host-router.js';

/** The pg package, loaded when oncebus/postgres is imported (an optional peer dependency). */
const pgDriver = requireDriver<typeof pg>('pg', 'oncebus/postgres');

export interface PostgresConnectionOptions {
  /**
   * A pg connection string. libpq's multi-host form is read too (node-postgres alone does not):
   * `postgres://u:pw@h1:5432,h2:5432/db?target_session_attrs=read-write` — each new connection goes to
   * the first host, in order, that accepts writes, found again when a connection fails (a failover).
   */
  readonly connectionString: string;
  /**
   * Pool size (default 20). Each receive loop on a postgres:// queue holds a connection, and each message's
   * unit of work another (with group commit, each lane one): start() refuses endpoints that would need more.
   */
  readonly poolSize?: number;
  /** Fail a connection attempt after this long (ms, default 5 s), rather than hang while the server is away. */
  readonly connectTimeoutMs?: number;
  /** Cancel a statement after this long (ms, default 30 s). */
  readonly statementTimeoutMs?: number;
  /**
   * The server ends a session whose transaction sits idle this long (ms, default 120 s): a safety net for a
   * process that stops making progress with a unit of work open. Keep it above the endpoints' handlerTimeout.
   */
  readonly idleInTransactionTimeoutMs?: number;
}

/**
 * oncebus's statements are a small fixed set per schema, run thousands of times a second: each is sent
 * as a named prepared statement (`oncebus_1`, `oncebus_2`, …, the same name for the same text all
 * process long), so every connection parses and plans it once.
 */
const statementNames = new Map<string, string>();
function protocolName(text: string): string {
  let name = statementNames.get(text);
  if (!name) statementNames.set(text, (name = `oncebus_${statementNames.size + 1}`));
  return name;
}

function prepared(text: string, params: readonly unknown[]): pg.QueryConfig {
  if (params.length === 0) return { text };
  return { name: protocolName(text), text, values: params as unknown[] };
}

/** SQLSTATE 25P02: a statement in this transaction failed earlier; every later one is refused. */
const IN_FAILED_SQL_TRANSACTION = '25P02';


/**
 * PostgreSQL through a pg Pool. A pool survives a server restart: broken idle clients are dropped (the
 * pool's 'error' event is handled, so they do not crash the process) and new ones connect once the server
 * is back. Driver errors become StoreError naming the (masked) connection.
 */
export class PostgresDatabase implements SqlDatabase {
  readonly id = `postgres:${randomUUID()}`;
  readonly dialect = 'postgres' as const;
  readonly pool: pg.Pool;
  readonly name: string;
  readonly budget: ConnectionBudget;
  /** With a multi-host connection string: which host new connections go to (null for one host). */
  private readonly router: PostgresHostRouter | null;
  /** The Client class connections are made with (one that follows the router, with several hosts). */
  private readonly clientClass: typeof pg.Client;
  private readonly connectionString: string;
  /** Clients given an 'error' listener already (a client is reused across checkouts). */
  private readonly guarded = new WeakSet<pg.PoolClient>();

  constructor(options: PostgresConnectionOptions) {
    this.name = maskSecrets(options.connectionString);
    this.budget = new ConnectionBudget(options.poolSize ?? 20, `PostgreSQL (${this.name})`, 'poolSize');
    const hosts = parseHostList(options.connectionString);
    this.connectionString = hosts?.connectionString ?? options.connectionString;
    const connectionTimeoutMillis = options.connectTimeoutMs ?? 5000;
    this.router = hosts ? new PostgresHostRouter(hosts, { connectionString: hosts.connectionString, connectionTimeoutMillis }, this.name) : null;
    this.clientClass = this.router ? failoverClientClass(this.router) : pgDriver.Client;
    this.pool = new pgDriver.Pool({
      connectionString: this.connectionString,
      Client: this.clientClass,
      max: options.poolSize ?? 20,
      connectionTimeoutMillis,
      statement_timeout: options.statementTimeoutMs ?? 30_000,
      idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 120_000,
    });
    this.pool.on('error', () => {
      // An idle client lost its connection (server restart); the pool replaces it on demand.
    });
  }

  /** A connection outside the pool (the notifier's listener), to the same server the pool's go to. */
  newClient(config: pg.ClientConfig = {}): pg.Client {
    return new this.clientClass({ ...config, connectionString: this.connectionString });
  }

  async query<R extends object>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    try {
      return (await this.pool.query(prepared(sql, params))).rows as R[];
    } catch (error) {
      throw this.wrap(error);
    }
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    try {
      return (await this.pool.query(prepared(sql, params))).rowCount ?? 0;
    } catch (error) {
      throw this.wrap(error);
    }
  }

  isConnectionFailure(error: unknown): boolean {
    return isPgConnectionFailure(error);
  }

  async begin(): Promise<SqlTransaction> {
    const client = await this.connect();
    try {
      await client.query('BEGIN');
    } catch (error) {
      client.release(true);
      throw this.wrap(error);
    }
    return new PostgresTransaction(client, this);
  }

  async beginWith<R extends object>(sql: string, params: readonly unknown[]): Promise<{ transaction: SqlTransaction; rows: R[] }> {
    const client = await this.connect();
    try {
      // BEGIN and the statement in one round trip; a failure in either ends the transaction.
      const [, first] = runPipeline(client, [{ text: 'BEGIN' }, { text: sql, values: params, name: protocolName(sql) }]);
      const { rows } = await first!;
      return { transaction: new PostgresTransaction(client, this), rows: rows as R[] };
    } catch (error) {
      client.release(true); // dropping the connection rolls back whatever began
      throw this.wrap(error);
    }
  }

  /**
   * A client of its own (a unit of work or an in-flight queue message holds one). The pool listens for
   * errors only on idle clients: a checked-out client whose server goes away (a restart, 57P01) emits
   * 'error' with nobody listening, which would crash the process. The listener below swallows it; the
   * next statement on that client fails and the client is destroyed on release.
   */
  async connect(): Promise<pg.PoolClient> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw this.wrap(error);
    }
    if (!this.guarded.has(client)) {
      this.guarded.add(client);
      client.on('error', () => undefined);
    }
    return client;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  wrap(error: unknown): Error {
    if (OncebusError.is(error)) return error;
    const code = (error as { code?: string }).code;
    if (code === IN_FAILED_SQL_TRANSACTION) {
      return new TransactionAbortedError(`PostgreSQL (${this.name}): ${(error as Error).message} [${code}]`, { cause: error });
    }
    return new StoreError(`PostgreSQL (${this.name}): ${(error as Error).message ?? String(error)}${code ? ` [${code}]` : ''}`, {
      cause: error,
      hint: postgresHint(code),
    });
  }
}

/** A transaction on one pool client; the client goes back to the pool (or is destroyed, if broken) at the end. */
class PostgresTransaction implements SqlTransaction {
  private done = false;

  constructor(
    readonly native: pg.PoolClient,
    private readonly db: PostgresDatabase,
  ) {}

  async query<R extends object>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    try {
      return (await this.native.query(prepared(sql, params))).rows as R[];
    } catch (error) {
      throw this.db.wrap(error);
    }
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    try {
      return (await this.native.query(prepared(sql, params))).rowCount ?? 0;
    } catch (error) {
      throw this.db.wrap(error);
    }
  }

  handle(lease: HandleLease): pg.PoolClient {
    return guardedClient(this.native, lease);
  }

  /** A handler timed out with a statement still running on this connection: cancel it, from another. */
  async cancelRunning(): Promise<void> {
    const pid = (this.native as unknown as { processID?: number }).processID;
    if (pid !== undefined) await this.db.execute('SELECT pg_cancel_backend($1)', [pid]);
  }

  async commit(): Promise<void> {
    await this.end('COMMIT');
  }

  async rollback(): Promise<void> {
    if (!this.done) await this.end('ROLLBACK').catch(() => undefined);
  }

  commitAndBeginWith<R extends object>(sql: string, params: readonly unknown[]): { committed: Promise<boolean>; rows: Promise<R[]> } {
    if (this.done) throw new StoreError('transaction already ended');
    // One round trip; the COMMIT is answered at once (flush), before the statement after it, which may
    // wait on another transaction's row for long. A rejection of either ends the connection, rolling back
    // the transaction that began (if it did).
    const [commit, , first] = runPipeline(this.native, [
      { text: 'COMMIT', flush: true },
      { text: 'BEGIN' },
      { text: sql, values: params, name: protocolName(sql) },
    ]);
    const fail = (error: unknown): never => {
      if (!this.done) {
        this.done = true;
        this.native.release(true);
      }
      throw this.db.wrap(error);
    };
    const committed = commit!.then((r) => r.command === 'COMMIT', fail);
    const rows = first!.then((r) => r.rows as R[], fail);
    committed.catch(() => undefined);
    rows.catch(() => undefined); // awaited by the next batch, or never (when the commit failed)
    return { committed, rows };
  }

  private async end(statement: string): Promise<void> {
    if (this.done) throw new StoreError('transaction already ended');
    this.done = true;
    let result: pg.QueryResult;
    try {
      result = await this.native.query(statement);
      this.native.release();
    } catch (error) {
      this.native.release(true);
      throw this.db.wrap(error);
    }
    if (statement === 'COMMIT' && result.command !== 'COMMIT') throw rolledBackAtCommit();
  }
}
