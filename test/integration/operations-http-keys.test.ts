import { expect } from 'chai';
import { storedScope } from '../../src/http/stored-scope.js';
import { run } from '../../src/operations/cli/main.js';
import { requireService } from '../support/integration.js';
import { ESCAPE, HOUR, LONG_TENANT, MINUTE, type SeededKeys, seedHttpKeys } from '../support/http-key-seeds.js';
import { openSqliteStore, postgresAvailable } from '../support/sql-subjects.js';

/** Runs the CLI in this process; resolves to its exit code and what it wrote. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(['node', 'oncebus', ...args], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

interface ListedJson {
  scope: string;
  key: string;
  status: string;
  responseStatus: number | null;
  bodyBytes: number;
  expired: boolean;
  ageMs: number;
}

interface ShownJson {
  records: {
    scope: string;
    key: string;
    status: string;
    attempt: string;
    fingerprint: string;
    lockedUntil: number | null;
    completedAt: number | null;
    expired: boolean;
    response: { status: number; headers: [string, string][]; body: { kind: string; text: string; bytes: number; note: string | null } } | null;
  }[];
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`npx oncebus http-keys … on ${kind}: the Idempotency-Keys an operator looks into`, function () {
    this.timeout(60_000);
    let seeded: SeededKeys;

    before(async function () {
      if (kind === 'postgres') requireService(this, 'PostgreSQL', await postgresAvailable());
      seeded = await seedHttpKeys(kind);
    });
    after(async () => seeded?.dispose());

    const show = async (...args: string[]) => {
      const r = await cli('http-keys', 'show', ...args, ...seeded.storeArgs, '--json');
      expect(r.code, r.err).to.equal(0);
      return JSON.parse(r.out) as ShownJson;
    };

    it('list: the newest first, with status, response status, body size and expiry; --limit says there are more', async () => {
      const { code, out, err } = await cli('http-keys', 'list', ...seeded.storeArgs, '--json');
      expect(code, err).to.equal(0);
      const report = JSON.parse(out) as { more: boolean; keys: ListedJson[] };
      expect(report.more).to.equal(false);
      // The three real requests are the newest; the rows written as other processes left them are older.
      expect(report.keys.map((k) => k.key)).to.deep.equal(['order-long', 'order-1', 'order-1', 'in-flight', 'huge', 'binary', 'secrets', 'abandoned', 'old']);
      const first = report.keys.find((k) => k.key === 'order-1' && k.scope === 'acme')!;
      expect(first).to.include({ status: 'completed', responseStatus: 201, bodyBytes: Buffer.byteLength(seeded.firstBody), expired: false });
      expect(report.keys.find((k) => k.key === 'order-long')!.scope, 'a long principal is stored hashed').to.equal(storedScope(LONG_TENANT));
      expect(report.keys.find((k) => k.key === 'in-flight')).to.include({ status: 'running', responseStatus: null });
      expect(report.keys.find((k) => k.key === 'old')).to.include({ expired: true });

      const two = await cli('http-keys', 'list', ...seeded.storeArgs, '--limit', '2');
      expect(two.code, two.err).to.equal(0);
      expect(two.out).to.match(/^2 HTTP key\(s\) in .* \(the newest 2; --limit shows more\), the newest first\n/);
      expect(two.out.split('\n')[1]).to.match(/^created\s+age\s+scope\s+key\s+status\s+response\s+body bytes\s+expires$/);
      expect(two.out).to.contain('order-long').and.contain('globex');
    });

    it('list --older-than, --status and --scope narrow it; a bad limit or duration is a usage error', async () => {
      const older = JSON.parse((await cli('http-keys', 'list', ...seeded.storeArgs, '--older-than', '1h', '--json')).out) as { keys: ListedJson[] };
      expect(older.keys.map((k) => k.key)).to.deep.equal(['abandoned', 'old']);
      expect(older.keys.every((k) => k.ageMs > HOUR)).to.equal(true);
      const running = JSON.parse((await cli('http-keys', 'list', ...seeded.storeArgs, '--status', 'running', '--json')).out) as { keys: ListedJson[] };
      expect(running.keys.map((k) => k.key)).to.deep.equal(['in-flight', 'abandoned']);
      const globex = JSON.parse((await cli('http-keys', 'list', ...seeded.storeArgs, '--scope', 'globex', '--json')).out) as { keys: ListedJson[] };
      expect(globex.keys.map((k) => `${k.scope}/${k.key}`)).to.deep.equal(['globex/order-1']);
      const long = JSON.parse((await cli('http-keys', 'list', ...seeded.storeArgs, '--scope', LONG_TENANT, '--json')).out) as { keys: ListedJson[] };
      expect(long.keys.map((k) => k.key), 'the principal as the route returned it').to.deep.equal(['order-long']);
      const none = await cli('http-keys', 'list', ...seeded.storeArgs, '--scope', 'initech');
      expect(none.code).to.equal(0);
      expect(none.out).to.match(/^no HTTP keys in scope initech in /);

      expect((await cli('http-keys', 'list', ...seeded.storeArgs, '--limit', '0')).code).to.equal(2);
      const bad = await cli('http-keys', 'list', ...seeded.storeArgs, '--older-than', 'soon');
      expect(bad.code).to.equal(2);
      expect(bad.err).to.contain('--older-than');
      expect((await cli('http-keys', 'list', ...seeded.storeArgs, '--status', 'done')).code).to.equal(2);
    });

    it('show: the stored response a retry gets back — status, kept headers, the body as first sent', async () => {
      const { records } = await show('order-1', '--scope', 'acme');
      expect(records).to.have.length(1);
      const r = records[0]!;
      expect(r).to.include({ scope: 'acme', key: 'order-1', status: 'completed', lockedUntil: null, expired: false });
      expect(r.fingerprint).to.match(/^[0-9a-f]{64}$/);
      expect(r.attempt).to.match(/^[0-9a-f-]{36}$/);
      expect(r.response!.status).to.equal(201);
      expect(r.response!.headers).to.deep.equal([
        ['content-type', 'application/json; charset=utf-8'],
        ['location', '/orders/A-1'],
      ]);
      expect(r.response!.body.kind).to.equal('json');
      expect(JSON.parse(r.response!.body.text)).to.deep.equal(JSON.parse(seeded.firstBody));
      expect(r.response!.body.bytes).to.equal(Buffer.byteLength(seeded.firstBody));

      const text = await cli('http-keys', 'show', 'order-1', '--scope', 'acme', ...seeded.storeArgs);
      expect(text.code, text.err).to.equal(0);
      expect(text.out).to.match(/^key order-1 in scope acme\n {2}status {7}completed\n/);
      expect(text.out).to.contain('response 201, ').and.contain('  location: /orders/A-1').and.contain('body (json)');
    });

    it('show without --scope: the key in every scope; a long principal finds its hashed scope; unknown exits 3', async () => {
      const { records } = await show('order-1');
      expect(records.map((r) => r.scope)).to.deep.equal(['acme', 'globex']);
      const long = await show('order-long', '--scope', LONG_TENANT);
      expect(long.records.map((r) => r.scope)).to.deep.equal([storedScope(LONG_TENANT)]);
      const stored = await show('order-long', '--scope', storedScope(LONG_TENANT));
      expect(stored.records).to.have.length(1);
      const unknown = await cli('http-keys', 'show', 'order-1', '--scope', 'initech', ...seeded.storeArgs);
      expect(unknown.code).to.equal(3);
      expect(unknown.err).to.match(/^no HTTP key order-1 in scope initech in /);
    });

    it('show: a running key says whose lease holds it, or that it ran out and the next retry takes it over; an expired key says so', async () => {
      const live = (await show('in-flight', '--scope', 'acme')).records[0]!;
      expect(live.response).to.equal(null);
      expect(live.lockedUntil).to.be.greaterThan(Date.now() + 25 * MINUTE);
      const text = await cli('http-keys', 'show', 'in-flight', '--scope', 'acme', ...seeded.storeArgs);
      expect(text.out).to.match(/status {7}running, its lease runs 2\dm \d\ds more/).and.contain('response: none stored yet');
      const lapsed = await cli('http-keys', 'show', 'abandoned', '--scope', 'acme', ...seeded.storeArgs);
      expect(lapsed.out).to.match(/running, its lease ran out 1h 59m ago \(the next retry takes it over\)/);
      const old = await cli('http-keys', 'show', 'old', '--scope', 'acme', ...seeded.storeArgs);
      expect(old.out).to.match(/status {7}completed, expired 1h 00m ago \(acts as absent; the purge removes it\)/);
    });

    it('show: credentials in stored headers are hidden, secrets in a body masked, a terminal escape printed inert', async () => {
      const r = (await show('secrets', '--scope', 'acme')).records[0]!;
      expect(r.response!.headers).to.deep.equal([
        ['content-type', 'text/plain'],
        ['set-cookie', '***'],
        ['x-api-key', '***'],
        ['location', 'postgres://shop:***@db/x'],
      ]);
      expect(r.response!.body).to.include({ kind: 'text', text: `password=*** then ${ESCAPE}cleared` });
      const text = await cli('http-keys', 'show', 'secrets', '--scope', 'acme', ...seeded.storeArgs);
      expect(text.out).to.not.contain('\u001b').and.not.contain('hunter2').and.not.contain('abc123').and.not.contain('k-123456').and.not.contain('s3cret');
      expect(text.out).to.contain('password=*** then \\u001b[2Jcleared');
      // JSON output escapes it too (JSON.stringify writes ESC as \u001b).
      const json = await cli('http-keys', 'show', 'secrets', '--scope', 'acme', ...seeded.storeArgs, '--json');
      expect(json.out).to.not.contain('\u001b');
    });

    it('show: a body that is not UTF-8 as base64; one over 1 MiB is not read, its size is shown', async () => {
      const binary = (await show('binary', '--scope', 'acme')).records[0]!;
      expect(binary.response!.body).to.include({ kind: 'base64', text: Buffer.from([0xff, 0xfe, 0x00, 0x01]).toString('base64'), bytes: 4 });
      const huge = (await show('huge', '--scope', 'acme')).records[0]!;
      expect(huge.response!.body).to.include({ kind: 'too-large', text: '' });
      expect(huge.response!.body.bytes).to.be.greaterThan(1024 * 1024);
      expect(huge.response!.body.note).to.contain('too large to show');
    });
  });
}

describe('npx oncebus http-keys on a store without the http_keys table', () => {
  it('says how to migrate, exit 1', async () => {
    const s = openSqliteStore();
    try {
      await s.store.ready();
      await s.database.execute('DROP TABLE oncebus_http_keys');
      const r = await cli('http-keys', 'list', '--store', `sqlite:${s.file}`);
      expect(r.code).to.equal(1);
      expect(r.err).to.contain('has no http_keys table').and.contain('hint: migrate it: npx oncebus migrate');
    } finally {
      await s.dispose();
    }
  });
});
