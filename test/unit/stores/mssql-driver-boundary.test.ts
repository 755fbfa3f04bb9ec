import { expect } from 'chai';
import sql from 'mssql';
import { OncebusError } from '../../../src/errors/errors.js';
import { bindParameters, DeadlockError, DuplicateKeyError, MssqlStore, MssqlStoreError, mapMssqlError, mssqlType } from '../../../src/stores/mssql/index.js';
import { mssqlIdempotence, mssqlMigrations, mssqlQueue, mssqlSubscriptions } from '../../../src/stores/mssql/mssql-statements.js';

// SQL Server cannot run here: these tests pin down everything up to the driver (statement text,
// parameter types, error mapping, connection failures); the contract suites run against a real server
// only when MSSQL_CONNECTION_STRING is set (test/contract/mssql-store.test.ts).
describe('SQL Server dialect at the driver boundary', () => {
  it('binds each value with an explicit SQL Server type', () => {
    // NVARCHAR(4000), not MAX: a key column compared with a MAX parameter is not sought in its index.
    expect(mssqlType('abc').type).to.deep.equal(sql.NVarChar(4000));
    expect(mssqlType('x'.repeat(4001)).type).to.deep.equal(sql.NVarChar(sql.MAX));
    expect(mssqlType(1_732_000_000_000).type).to.equal(sql.BigInt);
    const bytes = mssqlType(Uint8Array.from([1, 2, 3]));
    expect(bytes.type).to.deep.equal(sql.VarBinary(sql.MAX));
    expect(Buffer.isBuffer(bytes.value)).to.equal(true);
    expect(mssqlType(null)).to.deep.include({ value: null });
    expect(() => mssqlType(1.5)).to.throw(TypeError, /only integers/);
    expect(() => mssqlType({})).to.throw(TypeError, /cannot bind/);
  });

  it('binds parameters as @p1, @p2, … in order', () => {
    const inputs: [string, unknown][] = [];
    bindParameters({ input: (name: string, _t: unknown, value: unknown) => inputs.push([name, value]) }, ['inbox', 'id', 7]);
    expect(inputs).to.deep.equal([
      ['p1', 'inbox'],
      ['p2', 'id'],
      ['p3', 7],
    ]);
  });

  const errors: [string, unknown, string, new (...a: never[]) => OncebusError][] = [
    ['2627 (primary key)', { number: 2627, message: 'Violation of PRIMARY KEY' }, 'ONCEBUS_STORE_DUPLICATE_KEY', DuplicateKeyError],
    ['2601 (unique index)', { number: 2601, message: 'Cannot insert duplicate key row' }, 'ONCEBUS_STORE_DUPLICATE_KEY', DuplicateKeyError],
    ['1205 (deadlock victim)', { originalError: { info: { number: 1205 } }, message: 'deadlocked' }, 'ONCEBUS_STORE_DEADLOCK', DeadlockError],
    ['anything else', { number: 208, message: 'Invalid object name' }, 'ONCEBUS_STORE', MssqlStoreError],
  ];
  for (const [what, raw, code, type] of errors) {
    it(`maps error ${what} to ${type.name}`, () => {
      const mapped = mapMssqlError(Object.assign(new Error((raw as { message: string }).message), raw), 'server');
      expect(mapped).to.be.instanceOf(type);
      expect(mapped.code).to.equal(code);
      expect(mapped.message).to.match(/^SQL Server \(server\): /);
    });
  }

  it('uses only @pN parameters, numbered from 1 without gaps, in every statement', () => {
    const all = [...Object.values(mssqlIdempotence('oncebus')), ...Object.values(mssqlSubscriptions('oncebus'))];
    const q = mssqlQueue('oncebus', 'q_orders');
    all.push(q.enqueue, q.take, q.delete);
    for (const text of all) {
      expect(text).to.not.match(/\$\d|\?/);
      const used = [...new Set([...text.matchAll(/@p(\d+)/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
      expect(used, text).to.deep.equal(used.map((_, i) => i + 1));
    }
  });

  it('claims with a plain INSERT: the key lock makes a copy wait, and no range lock holds up other new messages', () => {
    const claim = mssqlIdempotence('oncebus').claim;
    expect(claim).to.match(/^INSERT INTO oncebus\.idempotence .* VALUES \(@p1, @p2, 'assigned', @p3,/s);
    expect(claim).to.not.match(/HOLDLOCK|SERIALIZABLE|UPDLOCK|NOT EXISTS/);
    // The duplicate key a committed copy's row gives is "the row exists", not a failure:
    expect(mapMssqlError({ number: 2627, message: 'Violation of PRIMARY KEY' }, 's').code).to.equal('ONCEBUS_STORE_DUPLICATE_KEY');
  });

  it('takes from a queue through an index in the take’s own order, skipping rows others hold', () => {
    const q = mssqlQueue('oncebus', 'q_orders');
    expect(q.take).to.match(/WITH \(UPDLOCK, READPAST, ROWLOCK\) WHERE due_at <= @p1 ORDER BY priority DESC, id$/);
    const index = q.createTable.find((t) => /CREATE INDEX/.test(t)) ?? '';
    expect(index).to.match(/CREATE INDEX q_orders_ready ON oncebus\.q_orders \(priority DESC, id\) INCLUDE \(due_at\)/);
    expect(index, 'created only when missing, so every start may run it').to.match(/IF NOT EXISTS \(SELECT 1 FROM sys\.indexes WHERE name = 'q_orders_ready'/);
  });

  it('compares keys byte for byte: migration 2 gives every key column a binary collation and rebuilds the keys', () => {
    const [, second] = mssqlMigrations('oncebus');
    const text = second!.statements.join('\n');
    for (const column of [
      'idempotence ALTER COLUMN inbox_uri',
      'idempotence ALTER COLUMN message_id',
      'idempotence_deferred ALTER COLUMN inbox_uri',
      'idempotence_deferred ALTER COLUMN message_id',
      'subscriptions ALTER COLUMN message_type',
      'subscriptions ALTER COLUMN inbox_uri',
    ]) {
      expect(text).to.match(new RegExp(`${column} NVARCHAR\\(\\d+\\) COLLATE Latin1_General_100_BIN2 NOT NULL`));
    }
    // Constraints are dropped before their columns change and added back after, children last.
    const order = (fragment: string) => second!.statements.findIndex((st) => st.includes(fragment));
    expect(order('DROP CONSTRAINT fk_idempotence_deferred')).to.be.lessThan(order('DROP CONSTRAINT pk_idempotence'));
    expect(order('DROP CONSTRAINT pk_idempotence')).to.be.lessThan(order('idempotence ALTER COLUMN message_id'));
    expect(order('ADD CONSTRAINT pk_idempotence ')).to.be.lessThan(order('ADD CONSTRAINT fk_idempotence_deferred'));
  });

  it('migration 4 keeps saga instances: binary-collated keys within a clustered key\'s 900 bytes, a unique instance id, bytes as VARBINARY(MAX)', () => {
    const fourth = mssqlMigrations('oncebus').find((m) => m.version === 4)!;
    expect(fourth.description).to.equal('saga instances');
    const [table, instance, created] = fourth.statements.map((st) => st.replace(/\s+/g, ' '));
    for (const column of ['saga_type NVARCHAR(200)', 'correlation_id NVARCHAR(200)', 'instance_id NVARCHAR(64)']) {
      expect(table).to.include(`${column} COLLATE Latin1_General_100_BIN2 NOT NULL`);
    }
    // (200 + 200) NVARCHAR characters, two bytes each: 800 bytes, under the 900 a clustered key may have.
    expect(table).to.include('CONSTRAINT pk_sagas PRIMARY KEY (saga_type, correlation_id)');
    expect(table).to.include('state VARBINARY(MAX) NOT NULL');
    expect(table).to.match(/version BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, completed_at BIGINT NULL/);
    expect(instance).to.equal('CREATE UNIQUE INDEX sagas_instance ON oncebus.sagas (instance_id)');
    expect(created).to.equal('CREATE INDEX sagas_created ON oncebus.sagas (saga_type, created_at)');
  });

  it("migration 5 keeps HTTP Idempotency-Keys: [key] (reserved in T-SQL), binary-collated NVARCHAR keys within a clustered key's 900 bytes, bytes as VARBINARY(MAX)", () => {
    const fifth = mssqlMigrations('oncebus').find((m) => m.version === 5)!;
    expect(fifth.description).to.equal('HTTP Idempotency-Keys and their stored responses');
    const [table, created, expires] = fifth.statements.map((st) => st.replace(/\s+/g, ' '));
    expect(table).to.include('CREATE TABLE oncebus.http_keys (');
    // NVARCHAR like the bound parameters; (128 + 255) characters, two bytes each: 766 bytes, under 900.
    expect(table).to.include('scope NVARCHAR(128) COLLATE Latin1_General_100_BIN2 NOT NULL, [key] NVARCHAR(255) COLLATE Latin1_General_100_BIN2 NOT NULL');
    expect(table).to.include('CONSTRAINT pk_http_keys PRIMARY KEY (scope, [key])');
    expect(table).to.include("status NVARCHAR(16) NOT NULL CHECK (status IN ('running', 'completed'))");
    expect(table).to.include('response_body VARBINARY(MAX) NULL');
    expect(table).to.match(/created_at BIGINT NOT NULL, completed_at BIGINT NULL, expires_at BIGINT NOT NULL/);
    expect(created).to.equal('CREATE INDEX http_keys_created ON oncebus.http_keys (created_at)');
    expect(expires).to.equal('CREATE INDEX http_keys_expires ON oncebus.http_keys (expires_at)');
  });

  it('rejects a schema name that is not a plain identifier', () => {
    expect(() => new MssqlStore({ connectionString: 'Server=x', schema: 'a;drop' })).to.throw(/not a valid SQL identifier/);
  });

  it('fails to connect with a typed error that hides the password', async function () {
    this.timeout(20_000);
    const store = new MssqlStore({ connectionString: 'Server=127.0.0.1,1;Database=x;User Id=sa;Password=s3cret;Encrypt=false;Connect Timeout=2' });
    let error: unknown;
    await store.store.ready().catch((e: unknown) => {
      error = e;
    });
    expect(OncebusError.is(error) && error.code).to.equal('ONCEBUS_STORE');
    expect((error as Error).message).to.not.include('s3cret');
    await store.close().catch(() => undefined);
  });
});
