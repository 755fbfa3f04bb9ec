import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { requireDriver } from '../../drivers/require-driver.js';
import { ConfigurationError, OncebusError, StoreError, TransactionAbortedError } from '../../errors/errors.js';
import { rolledBackAtCommit, type SqlDatabase, type SqlTransaction } from '../sql/sql-database.js';
import type { HandleLease } from '../sql/handle-lease.js';
import { ConnectionBudget } from '../sql/connection-budget.js';
import { maskSecrets } from '../../secrets/mask-secrets.js';
import { guardedClient } from './guarded-client.js';
import { postgresHint } from './postgres-hints.js';
import { isPgConnectionFailure } from './pg-connection-failure.js';
import { type PipelineStep, runPipeline, type StepResult } from './postgres-pipeline.js';
import { withArrayLiterals } from './postgres-array-literal.js';
import { sendCancelRequest } from './cancel-request.js';
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
  /**
   * 'transaction': connectionString leads to a transaction-pooling proxy (PgBouncer `pool_mode =
   * transaction`, RDS Proxy, Supavisor…), where consecutive transactions of one client may run on different
   * server sessions. Statements are then sent unnamed (a named prepared statement lives in one server
   * session), the timeouts above are set in each transaction (SET LOCAL) rather than as startup parameters
   * (which the pooler refuses; statements outside a transaction run under the pooler's own limits), a
   * timed-out handler's statement is cancelled by a protocol cancel request through the pooler, and LISTEN
   * wake-ups need listenConnectionString (docs/sql-stores.md, "Through a connection pooler"). Not detected:
   * give it.
   */
  readonly pooler?: 'transaction';
}

/**
 * oncebus's statements are a small fixed set per schema, run thousands of times a second: each is sent
 * as a named prepared statement (`oncebus_1`, `oncebus_2`, …, the same name for the same text all
 * process long), so every connection parses and plans it once. Through a transaction pooler
 * (`named` false) they are sent unnamed: parsed and planned at each run.
 */
const statementNames = new Map<string, string>();
function protocolName(text: string, named: boolean): string | undefined {
  if (!named) return undefined;
  let name = statementNames.get(text);
  if (!name) statementNames.set(text, (name = `oncebus_${statementNames.size + 1}`));
  return name;
}

function prepared(text: string, params: readonly unknown[], named: boolean): pg.QueryConfig {
  if (params.length === 0) return { text };
  const name = protocolName(text, named);
  const values = withArrayLiterals(params) as unknown[];
  return name ? { name, text, values } : { text, values };
}

/** A timeout option as the whole number of milliseconds PostgreSQL takes (it is written into SQL text). */
function timeoutSetting(ms: number, option: string): number {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new ConfigurationError('PostgreSQL store', `${option} ${ms} is not a whole number of milliseconds`, { hint: `give ${option} as an integer ≥ 0 (0: no timeout)` });
  return ms;
}

/**
 * What a transaction pooler answers a store not told of it: it refuses the timeouts sent as startup
 * parameters (PgBouncer: 08P01 "unsupported startup parameter"), and a named statement prepared on one
 * server session is missing (26000) or already there (42P05) on the next.
 */
function looksLikeATransactionPooler(code: string | undefined, message: string): boolean {
  return code === '26000' || code === '42P05' || (code === '08P01' && /unsupported startup parameter/.test(message));
}
const TRANSACTION_POOLER_HINT =
  "is connectionString a transaction pooler (PgBouncer pool_mode = transaction)? Give the store pooler: 'transaction' (docs/sql-stores.md, \"Through a connection pooler\")";

/** How a database's statements and transactions go on the wire (direct, or through a transaction pooler). */
interface WireSettings {
  /** Named prepared statements: not through a transaction pooler. */
  readonly namedStatements: boolean;
  /**
   * What begins a transaction. Through a transaction pooler, the timeouts a direct connection gets once at
   * connect are set for each transaction instead (SET LOCAL): a session setting would stay behind on a server
   * session other clients then share. In a pipeline, as its own step, in the same round trip.
   */
  readonly beginSteps: readonly PipelineStep[];
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
  /** Whether connectionString leads to a transaction pooler (the pooler option). */
  readonly transactionPooler: boolean;
  /** How statements and transactions go on the wire, shared with this database's transactions. */
  private readonly wire: WireSettings;
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
    const pooled = options.pooler === 'transaction';
    this.transactionPooler = pooled;
    const statementTimeoutMs = timeoutSetting(options.statementTimeoutMs ?? 30_000, 'statementTimeoutMs');
    const idleTimeoutMs = timeoutSetting(options.idleInTransactionTimeoutMs ?? 120_000, 'idleInTransactionTimeoutMs');
    const beginSteps: PipelineStep[] = pooled
      ? [
          { text: 'BEGIN' },
          {
            text: `SELECT set_config('statement_timeout', '${statementTimeoutMs}', true), set_config('idle_in_transaction_session_timeout', '${idleTimeoutMs}', true)`,
          },
        ]
      : [{ text: 'BEGIN' }];
    this.wire = { namedStatements: !pooled, beginSteps };
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
      // Session settings, sent at connect: a transaction pooler refuses them (and could not keep them).
      ...(pooled
        ? {}
        : {
            statement_timeout: statementTimeoutMs,
            idle_in_transaction_session_timeout: idleTimeoutMs,
          }),
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
      return (await this.pool.query(prepared(sql, params, this.wire.namedStatements))).rows as R[];
    } catch (error) {
      throw this.wrap(error);
    }
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    try {
      return (await this.pool.query(prepared(sql, params, this.wire.namedStatements))).rowCount ?? 0;
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
      if (this.wire.beginSteps.length === 1) await client.query('BEGIN');
      else await Promise.all(runPipeline(client, this.wire.beginSteps));
    } catch (error) {
      client.release(true);
      throw this.wrap(error);
    }
    return new PostgresTransaction(client, this, this.wire);
  }

  async beginWith<R extends object>(sql: string, params: readonly unknown[], typed = false): Promise<{ transaction: SqlTransaction; rows: R[] }> {
    const client = await this.connect();
    try {
      // BEGIN and the statement in one round trip; a failure in either ends the transaction.
      const answers = runPipeline(client, [...this.wire.beginSteps, { text: sql, values: params, name: protocolName(sql, this.wire.namedStatements), typed }]);
      const { rows } = await answers.at(-1)!;
      return { transaction: new PostgresTransaction(client, this, this.wire), rows: rows as R[] };
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
    const message = (error as Error).message ?? String(error);
    return new StoreError(`PostgreSQL (${this.name}): ${message}${code ? ` [${code}]` : ''}`, {
      cause: error,
      hint: this.transactionPooler || !looksLikeATransactionPooler(code, message) ? postgresHint(code) : TRANSACTION_POOLER_HINT,
    });
  }
}

/** A transaction on one pool client; the client goes back to the pool (or is destroyed, if broken) at the end. */
class PostgresTransaction implements SqlTransaction {
  private done = false;

  constructor(
    readonly native: pg.PoolClient,
    private readonly db: PostgresDatabase,
    private readonly wire: WireSettings,
  ) {}

  async query<R extends object>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    try {
      return (await this.native.query(prepared(sql, params, this.wire.namedStatements))).rows as R[];
    } catch (error) {
      throw this.db.wrap(error);
    }
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    try {
      return (await this.native.query(prepared(sql, params, this.wire.namedStatements))).rowCount ?? 0;
    } catch (error) {
      throw this.db.wrap(error);
    }
  }

  leadWith<R extends object>(lead: string, sql: string, params: readonly unknown[]): { lead: Promise<void>; result: Promise<{ rows: R[]; count: number }> } {
    const [first, second] = runPipeline(this.native, [{ text: lead }, { text: sql, values: params, typed: true, ...(params.length > 0 ? { name: protocolName(sql, this.wire.namedStatements) } : {}) }]);
    const wrap = (error: unknown): never => {
      throw this.db.wrap(error);
    };
    const led = first!.then(() => undefined, wrap);
    const result = second!.then((r) => ({ rows: r.rows as unknown as R[], count: r.rowCount }), wrap);
    led.catch(() => undefined); // the caller may await only the result
    return { lead: led, result };
  }

  handle(lease: HandleLease): pg.PoolClient {
    return guardedClient(this.native, lease);
  }

  /**
   * A handler timed out with a statement still running on this connection: cancel it, from another.
   * Through a transaction pooler the client's process id is the pooler's, not a server's: a protocol
   * cancel request, which the pooler forwards to the server session running this transaction.
   */
  async cancelRunning(): Promise<void> {
    const { processID, secretKey, host, port } = this.native as unknown as { processID?: number; secretKey?: number; host: string; port: number };
    if (processID === undefined) return;
    if (!this.db.transactionPooler) await this.db.execute('SELECT pg_cancel_backend($1)', [processID]);
    else if (secretKey !== undefined) await sendCancelRequest(host, port, processID, secretKey);
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
    let answers: Promise<StepResult>[];
    try {
      answers = runPipeline(this.native, [
        { text: 'COMMIT', flush: true },
        ...this.wire.beginSteps,
        { text: sql, values: params, name: protocolName(sql, this.wire.namedStatements) },
      ]);
    } catch (error) {
      // Nothing was sent (a parameter the driver cannot serialize): end the transaction with its connection.
      this.done = true;
      this.native.release(true);
      throw this.db.wrap(error);
    }
    const commit = answers[0];
    const first = answers.at(-1);
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

  async executeAndCommit(sql: string, params: readonly unknown[]): Promise<number> {
    if (this.done) throw new StoreError('transaction already ended');
    this.done = true;
    // One Sync for both: a failing statement makes the server skip the COMMIT, and the connection is
    // dropped (rolling the transaction back) rather than handed back inside a failed transaction.
    let touched: number;
    let command: string;
    try {
      // Inside the try: a parameter the driver cannot serialize throws here, and the connection must still go.
      const [statement, commit] = runPipeline(this.native, [{ text: sql, values: params, name: protocolName(sql, this.wire.namedStatements) }, { text: 'COMMIT' }]);
      touched = (await statement!).rowCount;
      command = (await commit!).command;
      this.native.release();
    } catch (error) {
      this.native.release(true);
      throw this.db.wrap(error);
    }
    if (command !== 'COMMIT') throw rolledBackAtCommit();
    return touched;
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
