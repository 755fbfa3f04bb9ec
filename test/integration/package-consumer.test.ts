import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RUN = fileURLToPath(new URL('../../../test/consumer/run.sh', import.meta.url));

describe('the package as a user installs it (npm pack, then a fresh project outside the tree)', function () {
  // Packing builds dist/src; the install fetches the tarball's dependencies; each mode compiles the app.
  this.timeout(600_000);
  let out = '';
  const line = (step: string) => out.split('\n').find((l) => l.startsWith(`${step}:`)) ?? '';
  before(() => {
    out = execFileSync('bash', [RUN], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  });

  it('ships dist/src and no tests, and installs without the drivers it does not need', () => {
    expect(line('pack'), out).to.match(/\d+ files/);
    expect(line('pack'), out).to.include('dist/test in it: false');
    expect(line('pack'), out).to.include('dashboard page script in it: true');
    expect(line('install'), out).to.include('pg installed: no');
    expect(line('install'), out).to.include('@types/pg installed: no');
  });

  it('ships every file package.json "exports" names, types and code of each entry', () => {
    expect(line('exports'), out).to.match(/^exports: \d+ entries, \d+ files; missing none$/);
  });

  it('ships the settings schema and the example settings files, and leaves the screenshots out', () => {
    expect(line('shipped'), out).to.match(/^shipped: schema true; examples \S*\.json.*; screenshots 0$/);
    expect(line('shipped'), out).to.include('config/sales-endpoint.json');
  });

  it("points a settings error at the schema's path in the installed package, which exists", () => {
    expect(line('schema pointer'), out).to.equal('schema pointer: node_modules/oncebus/config/oncebus.schema.json exists');
  });

  it('injects a constructor dependency by type without the application importing reflect-metadata', () => {
    expect(line('injection by type'), out).to.equal('injection by type: ok');
  });

  it('compiles against the published types (oncebus, /sqlite, /sagas, /http, /http/fastify) and runs a two-endpoint SQLite app, with legacy and with TC39 decorators', () => {
    expect(line('legacy'), out).to.equal('legacy: consumer: ok');
    expect(line('tc39'), out).to.equal('tc39: consumer: ok');
  });

  it('runs a saga from oncebus/sagas to completion on SQLite, with legacy and with TC39 decorators', () => {
    // Started (its instance stored), finished by the second message with the state the first one saved, removed.
    for (const mode of ['legacy', 'tc39']) {
      expect(line(`saga ${mode}`), out).to.equal(`saga ${mode}: started, instance stored; shipments 1; instances left 0`);
    }
  });

  it('answers a retried request from the stored response with oncebus/http/fastify on SQLite, with legacy and with TC39 decorators', () => {
    // The same Idempotency-Key twice: the route ran once, the second answer is the first one replayed.
    for (const mode of ['legacy', 'tc39']) {
      expect(line(`http ${mode}`), out).to.equal(`http ${mode}: 201 {"orderId":"A-1"}; 201 replayed true {"orderId":"A-1"}; route ran 1; orders 1; completed keys 1`);
    }
  });

  it('runs the same app as plain ESM JavaScript', () => {
    expect(line('esm'), out).to.equal('esm: consumer: ok');
  });

  it('exports oncebus/testing', () => {
    expect(line('testing entry'), out).to.equal('testing entry: function function');
  });

  it('names the package to install when an entry is imported without its driver', () => {
    expect(line('missing driver'), out).to.equal("missing driver: DriverMissingError: oncebus/postgres needs the package 'pg', which is not installed — run npm install pg");
  });

  it('installs the oncebus command (npx oncebus): usage, and exit code 2 for a usage error', () => {
    expect(line('bin'), out).to.equal('bin: Usage: oncebus idempotence [options] [command]; without a store: exit 2');
  });
});
