import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { requireDriver } from '../../drivers/require-driver.js';
import { StoreError } from '../../errors/errors.js';
import type { SqlDatabase, SqlTransaction } from '../sql/sql-database.js';
import type { HandleLease } from '../sql/handle-lease.js';
import { guardedDatabase } from './guarded-database.js';
import { resolveWriteTurns, type WriteTurnOptions } from './write-turn-options.js';
import { WriteTurns } from './write-turns.js';

export interface SqliteOptions {
  /** The database file (created when missing). */
  readonly file: string;
  /** 'FULL' (default) survives an OS crash; 'NORMAL' only a process crash, and is faster. */
  readonly synchronous?: 'FULL' | 'NORMAL';
  /** How long to keep retrying while another process holds the write lock (ms, default 30 s). */
  readonly busyTimeoutMs?: number;
  /**
   * How this process shares the file's one writer with other processes (docs/sql-stores.md, "SQLite and
   * concurrency"): its turn, the gap it then leaves, and how often it tries while another holds the file.
   * false: no turns — only for a file no other process writes to.
   */
  readonly writeTurns?: WriteTurnOptions | false;
}

/** better-sqlite3, loaded when oncebus/sqlite is imported (an optional peer dependency). */
const BetterSqlite3 = requireDriver<typeof Database>('better-sqlite3', 'oncebus/sqlite');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The open transaction an async context runs inside, for every database in the process: each enabled
 * AsyncLocalStorage adds work to every async resource Node creates, so one per database made a process
 * that opens databases over and over slower with each (found by the simulator, which opens hundreds).
 */
const insideTransaction = new AsyncLocalStorage<SqliteOpenTransaction>();

/**
 * SQLite through better-sqlite3: one connection per file and process, in WAL mode.
 *
 * better-sqlite3 is synchronous, and SQLite has one writer at a time. A unit of work spans the handler's
 * awaits, so a second connection in this process waiting (busy_timeout) for the first one's write lock
 * would block the event loop the first one needs to finish: a deadlock until the timeout. So in-process,
 * every statement and every transaction runs under one async lock (idempotent handling is serialized per
 * process); across processes, BEGIN IMMEDIATE takes the write lock up front and SQLITE_BUSY is retried
 * asynchronously, never by blocking. The lock bounds this process's turn (WriteTurns), so a process with
 * steady work lets the others' retries in.
 *
 * A unit of work holds the lock while its handler runs; the handler runs "inside" it (within), so a write
 * the handler makes to this database by other means than its transaction — `bus.send` to a sqlite://
 * queue here — joins the transaction instead of waiting for the lock it holds itself (forever).
 *
 * Plain SELECTs go to a second, read-only connection without the lock: in WAL mode readers never wait
 * for the writer, and a handler holding the unit of work (and so the lock) can still look things up
 * (the subscribers of a type it publishes) without deadlocking on itself.
 */
export class SqliteDatabase implements SqlDatabase {
  readonly id = `sqlite:${randomUUID()}`;
  readonly dialect = 'sqlite' as const;
  readonly native: Database.Database;
  private readonly reader: Database.Database;
  /**
   * How long a transaction should keep the file's one writer (group commit stops admitting members past
   * it); undefined with `writeTurns: false`, so batches are bounded only by their size.
   */
  readonly writeTurnMs: number | undefined;
  private readonly lock: WriteTurns;
  private readonly busyPollMaxMs: number;
  private readonly statements = new Map<string, Prepared>();
  private readonly readStatements = new Map<string, Prepared>();
  private readonly busyTimeoutMs: number;

  constructor(readonly options: SqliteOptions) {
    this.busyTimeoutMs = options.busyTimeoutMs ?? 30_000;
    const turns = resolveWriteTurns(options.writeTurns);
    this.writeTurnMs = turns.turnMs;
    this.lock = new WriteTurns(turns.turnMs ?? Number.POSITIVE_INFINITY, turns.gapMs);
    this.busyPollMaxMs = turns.busyPollMaxMs;
    try {
      this.native = new BetterSqlite3(options.file);
      this.native.pragma('journal_mode = WAL');
      this.native.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
      this.native.pragma('busy_timeout = 0');
      this.native.pragma('foreign_keys = ON');
      this.reader = new BetterSqlite3(options.file, { readonly: true });
      this.reader.pragma('busy_timeout = 0');
    } catch (error) {
      throw new StoreError(`SQLite (${options.file}): cannot open: ${String(error)}`, { cause: error });
    }
  }

  query<R extends object>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    const held = this.heldHere();
    if (held) return held.query<R>(sql, params);
    if (/^\s*select\b/i.test(sql)) {
      return this.retrying(() => {
        const p = prepare(this.reader, this.readStatements, sql);
        return p.statement.all(...bind(params, p.order)) as R[];
      }, false);
    }
    return this.lock.run(() => this.retrying(() => this.all<R>(sql, params)));
  }

  execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    const held = this.heldHere();
    if (held) return held.execute(sql, params);
    return this.lock.run(() => this.retrying(() => this.run(sql, params)));
  }

  /**
   * The transaction this async context runs inside (a handler's, see IUnitOfWork.within), while it is
   * open: its statements need no lock — it holds it — and waiting for the lock would wait for ourselves.
   */
  private heldHere(): SqliteOpenTransaction | undefined {
    const held = insideTransaction.getStore();
    return held?.open && held.database === this ? held : undefined;
  }

  /** Runs `run` inside `tx` (SqliteOpenTransaction.within). @internal */
  runInside<T>(tx: SqliteOpenTransaction, run: () => T): T {
    return insideTransaction.run(tx, run);
  }

  async begin(): Promise<SqlTransaction> {
    const release = await this.lock.acquire();
    try {
      await this.retrying(() => this.native.exec('BEGIN IMMEDIATE'));
    } catch (error) {
      release();
      throw error;
    }
    return new SqliteOpenTransaction(this, release);
  }

  async close(): Promise<void> {
    await this.lock.run(() => {
      this.reader.close();
      this.native.close();
    });
  }

  /** Unlocked: only for a transaction that already holds the lock. */
  run(sql: string, params: readonly unknown[]): number {
    const p = this.prepare(sql);
    return p.statement.run(...bind(params, p.order)).changes;
  }

  all<R>(sql: string, params: readonly unknown[]): R[] {
    const p = this.prepare(sql);
    return p.statement.all(...bind(params, p.order)) as R[];
  }

  /**
   * Retries SQLITE_BUSY (another process writing) asynchronously until the busy timeout, a few ms apart
   * so a try lands in the gap the other process leaves at the end of its turn. `writes`: run under the
   * lock, so taking the file after a wait starts this process's turn.
   */
  async retrying<T>(fn: () => T, writes = true): Promise<T> {
    const deadline = Date.now() + this.busyTimeoutMs;
    for (let wait = 1, waited = false; ; wait = Math.min(wait * 2, this.busyPollMaxMs), waited = true) {
      try {
        const result = fn();
        if (waited && writes) this.lock.turnStarts();
        return result;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if ((code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') && Date.now() < deadline) {
          await sleep(wait);
          continue;
        }
        throw error instanceof StoreError ? error : new StoreError(`SQLite (${this.options.file}): ${String(error)}`, { cause: error });
      }
    }
  }

  private prepare(sql: string): Prepared {
    return prepare(this.native, this.statements, sql);
  }
}

/**
 * Statements are written with PostgreSQL-style numbered parameters ($1, $2, reused or out of order);
 * better-sqlite3 binds only positional '?', so each $N becomes '?' and the values are reordered to match.
 */
function prepare(db: Database.Database, cache: Map<string, Prepared>, sql: string): Prepared {
  let p = cache.get(sql);
  if (!p) {
    const order: number[] = [];
    const text = sql.replace(/\$(\d+)/g, (_, n: string) => {
      order.push(Number(n) - 1);
      return '?';
    });
    p = { statement: db.prepare(text), order };
    cache.set(sql, p);
  }
  return p;
}

interface Prepared {
  readonly statement: Database.Statement;
  /** For each '?', the index of the value it takes. */
  readonly order: readonly number[];
}

/**
 * Values in '?' order; better-sqlite3 binds Buffers, not other Uint8Arrays. An array (group commit's
 * batches) is bound as JSON text for json_each, a binary element as hex (unhex() in the statement).
 */
function bind(params: readonly unknown[], order: readonly number[]): unknown[] {
  const values = order.length > 0 ? order.map((i) => params[i]) : [...params];
  return values.map((v) => (Array.isArray(v) ? JSON.stringify(v.map(hexIfBinary)) : asBuffer(v)));
}

const asBuffer = (v: unknown): unknown => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v);
const hexIfBinary = (v: unknown): unknown => (v instanceof Uint8Array ? (asBuffer(v) as Buffer).toString('hex') : v);

class SqliteOpenTransaction implements SqlTransaction {
  private done = false;

  get open(): boolean {
    return !this.done;
  }

  within<T>(run: () => T): T {
    return this.db.runInside(this, run);
  }

  get database(): SqliteDatabase {
    return this.db;
  }

  constructor(
    private readonly db: SqliteDatabase,
    private readonly release: () => void,
  ) {}

  get native(): Database.Database {
    return this.db.native;
  }

  handle(lease: HandleLease): Database.Database {
    return guardedDatabase(this.db.native, lease);
  }

  async query<R extends object>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    return this.db.retrying(() => this.db.all<R>(sql, params));
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    return this.db.retrying(() => this.db.run(sql, params));
  }

  async commit(): Promise<void> {
    if (this.done) throw new StoreError('transaction already ended');
    try {
      await this.db.retrying(() => this.db.native.exec('COMMIT'));
    } catch (error) {
      this.rollbackQuietly();
      throw error;
    } finally {
      this.finish();
    }
  }

  async rollback(): Promise<void> {
    if (this.done) return;
    this.rollbackQuietly();
    this.finish();
  }

  private rollbackQuietly(): void {
    try {
      if (this.db.native.inTransaction) this.db.native.exec('ROLLBACK');
    } catch {
      // Nothing to roll back.
    }
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.release();
  }
}
