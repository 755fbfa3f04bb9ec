import { expect } from 'chai';
import { OncebusError } from '../../../src/errors/errors.js';
import { parseHostList } from '../../../src/stores/postgres/postgres-host-list.js';

function refused(run: () => unknown): OncebusError {
  try {
    run();
  } catch (error) {
    if (OncebusError.is(error)) return error;
    throw error;
  }
  throw new Error('not refused');
}

describe("a PostgreSQL connection string naming several hosts (libpq's form)", () => {
  it('is left to pg when it names one host and no target_session_attrs', () => {
    expect(parseHostList('postgres://u:pw@db:5432/app')).to.equal(null);
    expect(parseHostList('host=/var/run/postgresql dbname=app')).to.equal(null);
  });

  it('splits into the hosts, in order, and a string pg can read (first host, no target_session_attrs)', () => {
    const list = parseHostList('postgres://u:pw@h1:5441,h2,[::1]:5443/app?sslmode=disable&target_session_attrs=read-write')!;
    expect(list.hosts).to.deep.equal([
      { host: 'h1', port: 5441 },
      { host: 'h2', port: 5432 },
      { host: '::1', port: 5443 },
    ]);
    expect(list.targetSessionAttrs).to.equal('read-write');
    expect(list.connectionString).to.equal('postgres://u:pw@h1:5441/app?sslmode=disable');
    expect(list.forHost(list.hosts[2]!)).to.equal('postgres://u:pw@[::1]:5443/app?sslmode=disable');
  });

  it('takes read-write when several hosts are given without target_session_attrs, and accepts primary', () => {
    expect(parseHostList('postgres://u@a,b/app')!.targetSessionAttrs).to.equal('read-write');
    expect(parseHostList('postgresql://u@a/app?target_session_attrs=primary')!.targetSessionAttrs).to.equal('primary');
  });

  it('refuses a target the store could not write on, without showing the password', () => {
    for (const attrs of ['any', 'read-only', 'standby', 'prefer-standby']) {
      const error = refused(() => parseHostList(`postgres://u:s3cret@a,b/app?target_session_attrs=${attrs}`));
      expect(error.code).to.equal('ONCEBUS_CONFIGURATION');
      expect(error.message).to.contain(`target_session_attrs=${attrs}`).and.not.contain('s3cret');
    }
  });

  it('refuses a host that is not host[:port], and more than 16 hosts', () => {
    expect(refused(() => parseHostList('postgres://u@a:99999,b/app')).code).to.equal('ONCEBUS_CONFIGURATION');
    expect(refused(() => parseHostList('postgres://u@a:x,b/app')).code).to.equal('ONCEBUS_CONFIGURATION');
    const many = Array.from({ length: 17 }, (_, i) => `h${i}`).join(',');
    expect(refused(() => parseHostList(`postgres://u@${many}/app`)).message).to.contain('17 hosts');
  });
});
