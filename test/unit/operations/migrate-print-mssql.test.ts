import { expect } from 'chai';
import { run } from '../../../src/operations/cli/main.js';
import { mssqlConnectionString } from '../../../src/operations/openers/mssql-opener.js';
import { mssqlMigrations, mssqlQueue } from '../../../src/stores/mssql/mssql-statements.js';

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(['node', 'oncebus', ...args], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

// No SQL Server runs here: these check the script `oncebus migrate --print --all` writes, which reads nothing
// from the database (the host below does not exist); the statements are not run against a real server.
const STORE = 'mssql://sa:s3cret;x@db.invalid:1433/app?encrypt=true';

describe('oncebus migrate --print for SQL Server (not run against a server: none runs here)', () => {
  it('--all writes every migration in its own transaction, recorded, each statement its own GO batch, then the queue tables', async () => {
    const { code, out, err } = await cli('migrate', '--store', STORE, '--schema', 'app', '--print', '--all', '--queue', 'mssql://default/orders-in');
    expect(err).to.equal('');
    expect(code).to.equal(0);
    expect(out).to.not.include('s3cret');
    expect(out).to.include("IF SCHEMA_ID('app') IS NULL EXEC('CREATE SCHEMA app')\nGO");
    const migrations = mssqlMigrations('app');
    for (const m of migrations) {
      const header = `-- oncebus migration ${m.version}: ${m.description}\nBEGIN TRANSACTION\nGO\n`;
      const record = `INSERT INTO app.schema_version (version, description) VALUES (${m.version}, '${m.description.replace(/'/g, "''")}')\nGO\nCOMMIT TRANSACTION\nGO`;
      const body = m.statements.map((s) => `${s}\nGO\n`).join('');
      expect(out).to.include(`${header}${body}${record}`);
    }
    expect(out.match(/BEGIN TRANSACTION/g)).to.have.length(migrations.length);
    expect(out).to.include('-- oncebus migration 4: saga instances\n');
    expect(out).to.include('CREATE TABLE app.sagas (');
    expect(out).to.include('-- oncebus migration 5: HTTP Idempotency-Keys and their stored responses\n');
    expect(out).to.include('CREATE TABLE app.http_keys (');
    for (const s of mssqlQueue('app', 'q_orders_in').createTable) expect(out).to.include(`${s}\nGO`);
    expect(out).to.include('-- queue table app.q_orders_in ("mssql://default/orders-in")');
  });

  it('a queue URI with a line break or a password stays inside its comment, masked: it cannot add a statement to the script', async () => {
    // URL parsing drops the line break, so the URI names a valid queue: only the comment showed the raw text.
    const hostile = 'mssql://u:hunter2@default/x#\nDROP TABLE app.subscriptions;--';
    const { code, out } = await cli('migrate', '--store', STORE, '--schema', 'app', '--print', '--all', '--queue', hostile);
    expect(code).to.equal(0);
    expect(out).to.not.include('hunter2');
    expect(out.split('\n').filter((line) => line.includes('DROP TABLE')).every((line) => line.startsWith('--')), out).to.equal(true);
  });

  it('--print-grants names DML on the schema only, and refuses a role that is not a plain identifier', async () => {
    const grants = await cli('migrate', '--store', STORE, '--schema', 'app', '--print-grants', 'orders_rt');
    expect(grants.code).to.equal(0);
    expect(grants.out).to.include('GRANT SELECT, INSERT, UPDATE, DELETE ON SCHEMA::app TO orders_rt\nGO');
    expect(grants.out).to.not.match(/CREATE|ALTER|CONTROL/);
    const hostile = await cli('migrate', '--store', STORE, '--schema', 'app', '--print-grants', 'x; DROP TABLE app.idempotence');
    expect(hostile.code).to.equal(2);
    expect(hostile.out).to.not.include('DROP');
  });

  it('usage errors exit 2 before anything is opened: --all without --print, no store, a store of no SQL kind', async () => {
    const all = await cli('migrate', '--store', STORE, '--all');
    expect([all.code, all.err]).to.deep.equal([2, 'error: --all goes with --print (migrate itself applies only what is pending)']);
    const none = await cli('migrate', '--print');
    expect(none.code).to.equal(2);
    const broker = await cli('migrate', '--store', 'rabbitmq://guest:pw@localhost', '--print', '--all');
    expect(broker.code).to.equal(2);
    expect(broker.err).to.include('or mssql://');
    expect(broker.err).to.not.include(':pw@');
    const prefix = await cli('migrate', '--store', STORE, '--table-prefix', 'app_', '--print', '--all');
    expect([prefix.code, prefix.err.split('\n')[0]]).to.deep.equal([2, 'error: --table-prefix: a table prefix is for SQLite stores']);
  });

  it('the mssql:// URL becomes a connection string whose values cannot add settings', () => {
    expect(mssqlConnectionString(STORE)).to.equal('Server={db.invalid,1433};Database={app};User Id={sa};Password={s3cret;x};encrypt={true}');
    expect(mssqlConnectionString('mssql://u:p%7D;a=b@h/d')).to.include('Password={p}};a=b}');
  });
});
