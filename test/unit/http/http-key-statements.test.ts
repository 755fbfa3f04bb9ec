import { expect } from 'chai';
import { OncebusError } from '../../../src/errors/errors.js';
import { mssqlHttpKeyStatements, postgresHttpKeyStatements, sqliteHttpKeyStatements } from '../../../src/http/persistence/http-key-statements.js';
import { SqlHttpKeyStore } from '../../../src/http/persistence/sql-http-key-store.js';
import type { IUnitOfWorkRecords } from '../../../src/idempotence/unit-of-work.js';
import type { ITransactionalSession } from '../../../src/sessions/transactional-session.js';
import { DuplicateKeyError } from '../../../src/stores/mssql/index.js';
import { mssqlPurgeExpiredHttpKeys } from '../../../src/stores/mssql/mssql-statements.js';
import { postgresPurgeExpiredHttpKeys } from '../../../src/stores/postgres/postgres-statements.js';
import { sqlitePurgeExpiredHttpKeys } from '../../../src/stores/sqlite/sqlite-statements.js';

/** Records that answer what a test gives and keep every statement run. */
class FakeRecords implements IUnitOfWorkRecords {
  readonly calls: { sql: string; params: readonly unknown[] }[] = [];
  rows: object[] = [];
  count: number | Error = 1;
  constructor(readonly dialect: 'sqlite' | 'postgres' | 'mssql') {}
  table(): string {
    return 'app.http_keys';
  }
  async query<R extends object>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    this.calls.push({ sql, params });
    return this.rows as R[];
  }
  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    this.calls.push({ sql, params });
    if (this.count instanceof Error) throw this.count;
    return this.count;
  }
}

const sessionOn = (records?: IUnitOfWorkRecords): ITransactionalSession =>
  ({ id: 's', transaction: null, records, send: async () => undefined, publish: async () => [] }) as unknown as ITransactionalSession;
const flat = (sql: string) => sql.replace(/\s+/g, ' ').trim();
const CLAIM = { scope: 'acme', key: 'k-1', fingerprint: 'f'.repeat(64), attempt: 'a-1', now: 1_000, lockedUntil: 31_000, expiresAt: 86_401_000 };

// SQL Server cannot run here: these pin the statement text and what the key store sends and reads, for every
// dialect (SQLite and PostgreSQL also run them for real in test/integration/http).
describe('HTTP key statements and the SQL key store at the driver boundary', () => {
  it('numbered parameters from 1 without gaps: @pN on SQL Server, $N on PostgreSQL and SQLite', () => {
    const check = (texts: string[], pattern: RegExp, other: RegExp) => {
      for (const text of texts) {
        expect(text).to.not.match(other);
        const used = [...new Set([...text.matchAll(pattern)].map((m) => Number(m[1])))].sort((a, b) => a - b);
        expect(used, text).to.deep.equal(used.map((_, i) => i + 1));
      }
    };
    check([...Object.values(mssqlHttpKeyStatements('app.http_keys')), mssqlPurgeExpiredHttpKeys('app')], /@p(\d+)/g, /\$\d|\?/);
    check([...Object.values(postgresHttpKeyStatements('app.http_keys')), postgresPurgeExpiredHttpKeys('app')], /\$(\d+)/g, /@p\d|\?/);
    check([...Object.values(sqliteHttpKeyStatements('oncebus_http_keys')), sqlitePurgeExpiredHttpKeys('oncebus_')], /\$(\d+)/g, /@p\d|\?/);
  });

  it('SQL Server writes the reserved column as [key] everywhere, never bare', () => {
    for (const text of Object.values(mssqlHttpKeyStatements('app.http_keys'))) {
      expect(text.replace(/\[key\]/g, ''), text).to.not.match(/\bkey\b/);
    }
  });

  it('SQL Server claims only when no row has (scope, key), checked under a key-range update lock, so a racing claim waits and never fails', () => {
    expect(flat(mssqlHttpKeyStatements('app.http_keys').insert)).to.equal(
      'INSERT INTO app.http_keys (scope, [key], fingerprint, status, attempt, locked_until, created_at, expires_at) ' +
        "SELECT @p1, @p2, @p3, 'running', @p4, @p5, @p6, @p7 " +
        'WHERE NOT EXISTS (SELECT 1 FROM app.http_keys WITH (UPDLOCK, HOLDLOCK) WHERE scope = @p1 AND [key] = @p2)',
    );
  });

  it('PostgreSQL and SQLite claim with ON CONFLICT (scope, key) DO NOTHING', () => {
    for (const { insert } of [postgresHttpKeyStatements('app.http_keys'), sqliteHttpKeyStatements('oncebus_http_keys')]) {
      expect(flat(insert)).to.match(/VALUES \(\$1, \$2, \$3, 'running', \$4, \$5, \$6, \$7\) ON CONFLICT \(scope, key\) DO NOTHING$/);
    }
  });

  it('take-over only from the attempt that was read, and only when its lease ran out while running or the key expired', () => {
    for (const s of [postgresHttpKeyStatements('t'), mssqlHttpKeyStatements('t')]) {
      const p = s.insert.includes('@p') ? '@p' : '$';
      expect(flat(s.takeOver)).to.include(`attempt = ${p}8 AND ((status = 'running' AND locked_until < ${p}6) OR expires_at <= ${p}6)`);
    }
  });

  it('completion and freeing only by the attempt that holds the key running: 0 rows after a take-over', () => {
    for (const s of [postgresHttpKeyStatements('t'), sqliteHttpKeyStatements('t'), mssqlHttpKeyStatements('t')]) {
      const p = s.insert.includes('@p') ? '@p' : '$';
      expect(flat(s.complete).endsWith(`attempt = ${p}3 AND status = 'running'`), s.complete).to.equal(true);
      expect(flat(s.free).endsWith(`attempt = ${p}3 AND status = 'running'`), s.free).to.equal(true);
      expect(s.free).to.match(/^DELETE FROM t WHERE/);
    }
  });

  it('the purges delete a bounded batch of expired keys, whatever their status', () => {
    expect(flat(postgresPurgeExpiredHttpKeys('app'))).to.equal('DELETE FROM app.http_keys WHERE ctid IN (SELECT ctid FROM app.http_keys WHERE expires_at < $1 LIMIT $2)');
    expect(flat(sqlitePurgeExpiredHttpKeys('oncebus_'))).to.equal('DELETE FROM oncebus_http_keys WHERE rowid IN (SELECT rowid FROM oncebus_http_keys WHERE expires_at < $1 LIMIT $2)');
    expect(mssqlPurgeExpiredHttpKeys('app')).to.equal('DELETE TOP (@p2) FROM app.http_keys WHERE expires_at < @p1');
  });

  it('the store sends the claim, completion and free parameters in statement order, and reads rows as the drivers return them', async () => {
    const records = new FakeRecords('mssql');
    const store = new SqlHttpKeyStore();
    const session = sessionOn(records);
    expect(await store.insert(session, CLAIM)).to.equal(true);
    expect(records.calls[0]!.params).to.deep.equal(['acme', 'k-1', CLAIM.fingerprint, 'a-1', 31_000, 1_000, 86_401_000]);
    await store.takeOver(session, CLAIM, 'a-0');
    expect(records.calls[1]!.params).to.deep.equal(['acme', 'k-1', CLAIM.fingerprint, 'a-1', 31_000, 1_000, 86_401_000, 'a-0']);
    const body = Uint8Array.from([123, 125]);
    await store.complete(session, 'acme', 'k-1', 'a-1', { status: 201, headers: { location: '/o/1' }, body }, 2_000);
    expect(records.calls[2]!.params).to.deep.equal(['acme', 'k-1', 'a-1', 201, '{"location":"/o/1"}', body, 2_000]);
    await store.free(session, 'acme', 'k-1', 'a-1');
    expect(records.calls[3]!.params).to.deep.equal(['acme', 'k-1', 'a-1']);
    // pg and tedious answer bigint columns as strings and bytes as Buffers.
    records.rows = [
      {
        scope: 'acme', key: 'k-1', fingerprint: 'f', status: 'completed', attempt: 'a-1', locked_until: null, response_status: 201,
        response_headers: '{"content-type":"application/json"}', response_body: Buffer.from('{}'), created_at: '1000', completed_at: '2000', expires_at: '86401000',
      },
    ];
    const row = await store.find(session, 'acme', 'k-1');
    expect(row).to.deep.include({ status: 'completed', lockedUntil: null, createdAt: 1_000, completedAt: 2_000, expiresAt: 86_401_000 });
    expect(row?.response?.headers).to.deep.equal({ 'content-type': 'application/json' });
    expect(Buffer.from(row!.response!.body).toString()).to.equal('{}');
  });

  it('a duplicate key from SQL Server reads as "the key exists"; a session without records is refused with what to use instead', async () => {
    const records = new FakeRecords('mssql');
    records.count = new DuplicateKeyError('pk_http_keys', new Error('2627'));
    expect(await new SqlHttpKeyStore().insert(sessionOn(records), CLAIM)).to.equal(false);
    const refused = await new SqlHttpKeyStore().insert(sessionOn(undefined), CLAIM).then(() => null, (e: unknown) => e);
    expect(OncebusError.is(refused) && refused.code).to.equal('ONCEBUS_CONFIGURATION');
    expect((refused as OncebusError).hint).to.match(/SqliteStore, PostgresStore, MssqlStore/);
  });
});
