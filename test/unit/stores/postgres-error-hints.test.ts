import { expect } from 'chai';
import { PostgresDatabase } from '../../../src/stores/postgres/index.js';

// The hint of a PostgreSQL error says what to do about that kind of failure. No connection is made.
describe('PostgreSQL errors: a hint that matches the failure', () => {
  const database = new PostgresDatabase({ connectionString: 'postgres://app:s3cret@db.invalid/orders' });
  after(() => database.close());
  const hintOf = (code: string | undefined) => {
    const error = database.wrap(Object.assign(new Error(`failure ${code}`), code === undefined ? {} : { code }));
    return (error as { hint?: string }).hint ?? '';
  };

  it('a value it cannot store (22021, a NUL in text): the data, not the server', () => {
    expect(hintOf('22021')).to.contain('the data is the problem').and.not.contain('running');
  });

  it('a refused login (28P01): the user and password', () => {
    expect(hintOf('28P01')).to.contain('user and password').and.not.contain('running');
  });

  it('no answer (a refused socket, 08006, 57P03): is the server running', () => {
    for (const code of ['ECONNREFUSED', '08006', '57P03', undefined]) expect(hintOf(code), String(code)).to.contain('is running');
  });

  it('too many connections (53300): the connection limits, not whether the server runs', () => {
    expect(hintOf('53300')).to.contain('no connection to spare').and.contain('CONNECTION LIMIT').and.not.contain('running');
  });

  it('a missing table (42P01): the schema', () => {
    expect(hintOf('42P01')).to.contain('schema').and.not.contain('running');
  });
});
