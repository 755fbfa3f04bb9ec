import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { OncebusError } from '../../../src/errors/oncebus-error.js';
import { PostgresDatabase } from '../../../src/stores/postgres/index.js';
import { requireService } from '../../support/integration.js';
import { PG_URL, postgresAvailable } from '../../support/sql-subjects.js';

async function firstFailure(connectionString: string): Promise<{ error: OncebusError; took: number }> {
  const database = new PostgresDatabase({ connectionString, connectTimeoutMs: 3000 });
  try {
    const started = Date.now();
    let error: unknown;
    await database.query('SELECT 1').catch((e: unknown) => (error = e));
    expect(error, 'the statement fails').to.be.instanceOf(Error);
    return { error: error as OncebusError, took: Date.now() - started };
  } finally {
    await database.close();
  }
}

describe('PostgreSQL: wrong credentials or a missing database fail at once, saying which, not as an outage', function () {
  const url = new URL(PG_URL);

  before(async function () {
    requireService(this, 'PostgreSQL', await postgresAvailable());
  });

  it('a wrong password (28P01): a StoreError whose hint names the user and password', async () => {
    const wrong = new URL(PG_URL);
    wrong.password = 'not-the-password';
    const { error, took } = await firstFailure(wrong.href);
    expect(error.code).to.equal('ONCEBUS_STORE');
    expect(error.message).to.include('28P01').and.not.include('not-the-password');
    expect(error.hint).to.match(/user and password/).and.not.match(/running and reachable/);
    expect(took).to.be.below(2000);
  });

  it('a missing database (3D000): a StoreError whose hint names the database', async () => {
    const missing = new URL(PG_URL);
    missing.pathname = `/no_such_db_${randomUUID().slice(0, 6)}`;
    const { error } = await firstFailure(missing.href);
    expect(error.message).to.include('3D000');
    expect(error.hint).to.match(/no such database/).and.not.match(/running and reachable/);
    expect(url.pathname).to.not.equal(missing.pathname);
  });
});
