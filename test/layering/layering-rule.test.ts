import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The layering is a lint rule (biome.json: noRestrictedImports per layer), run by `npx biome lint` in CI.
// A rule that cannot fail is no rule: each case below puts one import into a probe file where the layer's
// own code would sit, lints it with the project's configuration, and expects it refused or allowed.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIOME = join(ROOT, 'node_modules/.bin/biome');

type Case = readonly [where: string, specifier: string, verdict: 'refused' | 'allowed'];
const CASES: readonly Case[] = [
  // the core contracts depend on nothing above them
  ['src/transport/probe.ts', '../bus/service-bus.js', 'refused'],
  ['src/idempotence/probe.ts', '../pipelines/inbox/inbox-message-state.js', 'refused'],
  ['src/recoverability/probe.ts', '../transports/rabbitmq/index.js', 'refused'],
  ['src/handling/probe.ts', '../telemetry/index.js', 'refused'],
  ['src/errors/probe.ts', '../index.js', 'refused'],
  ['src/transport/probe.ts', '../envelope/transport-message.js', 'allowed'],
  // the pipelines and their observers: the core contracts only
  ['src/pipelines/inbox/probe.ts', '../../bus/queue-registry.js', 'refused'],
  ['src/pipelines/inbox/probe.ts', '../../modules/endpoint-services.js', 'refused'],
  ['src/pipelines/outgoing/probe.ts', '../../stores/sql/sql-store.js', 'refused'],
  ['src/pipelines/inbox/probe.ts', '../../telemetry/tracing-module.js', 'refused'],
  ['src/pipelines/inbox/probe.ts', '../../transport/queue-registry.js', 'allowed'],
  ['src/pipelines/inbox/probe.ts', '../outgoing/message-sender.js', 'allowed'],
  // the schedules: their own folder on the core; nothing below the composition root imports them
  ['src/schedules/probe.ts', '../bus/service-bus.js', 'refused'],
  ['src/schedules/probe.ts', '../pipelines/outgoing/message-sender.js', 'refused'],
  ['src/schedules/probe.ts', '../stores/sqlite/index.js', 'refused'],
  ['src/schedules/probe.ts', '../handling/handles-message.js', 'allowed'],
  ['src/config/probe.ts', '../schedules/scheduler.js', 'refused'],
  ['src/pipelines/inbox/probe.ts', '../../schedules/schedule-tick.js', 'refused'],
  ['src/bus/probe.ts', '../schedules/scheduler.js', 'allowed'],
  // the composition root never imports a transport, a store or an add-on
  ['src/bus/probe.ts', '../transports/rabbitmq/index.js', 'refused'],
  ['src/bus/probe.ts', '../stores/sqlite/index.js', 'refused'],
  ['src/bus/probe.ts', '../operations/errors/index.js', 'refused'],
  ['src/bus/probe.ts', '../pipelines/inbox/inbox-pipeline.js', 'allowed'],
  // transports and stores: the core contracts, never each other
  ['src/transports/rabbitmq/probe.ts', '../memory/memory-queue.js', 'refused'],
  ['src/transports/rabbitmq/probe.ts', '../../stores/sql/sql-queue-base.js', 'refused'],
  ['src/transports/azuresb/probe.ts', '../../pipelines/inbox/inbox-message-state.js', 'refused'],
  ['src/transports/rabbitmq/probe.ts', '../../transport/queue.js', 'allowed'],
  ['src/stores/postgres/probe.ts', '../sqlite/sqlite-database.js', 'refused'],
  ['src/stores/postgres/probe.ts', '../../transports/memory/index.js', 'refused'],
  ['src/stores/sql/group-commit/probe.ts', '../../postgres/postgres-database.js', 'refused'],
  ['src/stores/postgres/probe.ts', '../sql/sql-database.js', 'allowed'],
  ['src/stores/sql/group-commit/probe.ts', '../sql-database.js', 'allowed'],
  // add-ons: the core, the module contract and public entries — not the composition root or internals
  ['src/telemetry/probe.ts', '../bus/build-pipelines.js', 'refused'],
  ['src/testing/probe.ts', '../transports/memory/memory-queue.js', 'refused'],
  ['src/telemetry/probe.ts', '../modules/oncebus-module.js', 'allowed'],
  ['src/orm/probe.ts', '../stores/postgres/index.js', 'allowed'],
  ['src/operations/errors/probe.ts', '../../stores/sql/sql-idempotence-store.js', 'refused'],
  ['src/operations/errors/probe.ts', '../../pipelines/inbox/check-idempotence-observer.js', 'refused'],
  ['src/operations/errors/probe.ts', '../../stores/sql/operations.js', 'allowed'],
  // the host: an add-on like the others; nothing in the core or a plug-in depends on it
  ['src/hosting/probe.ts', '../bus/service-bus.js', 'refused'],
  ['src/hosting/probe.ts', '../transports/rabbitmq/rabbitmq-connection.js', 'refused'],
  ['src/hosting/probe.ts', '../health/health-check.js', 'allowed'],
  ['src/bus/probe.ts', '../hosting/index.js', 'refused'],
  ['src/health/probe.ts', '../hosting/index.js', 'refused'],
  ['src/transports/rabbitmq/probe.ts', '../../hosting/index.js', 'refused'],
  // sagas: an add-on; nothing in the core, the pipelines or the composition root imports it
  ['src/handling/probe.ts', '../sagas/index.js', 'refused'],
  ['src/idempotence/memory/probe.ts', '../../sagas/persistence/memory-saga-persister.js', 'refused'],
  ['src/pipelines/inbox/probe.ts', '../../sagas/saga-runtime.js', 'refused'],
  ['src/bus/probe.ts', '../sagas/saga-module.js', 'refused'],
  ['src/sagas/probe.ts', '../bus/service-bus.js', 'refused'],
  ['src/sagas/persistence/probe.ts', '../../stores/postgres/postgres-database.js', 'refused'],
  ['src/sagas/probe.ts', '../modules/oncebus-module.js', 'allowed'],
  ['src/testing/probe.ts', '../sagas/index.js', 'allowed'],
  // HTTP Idempotency-Keys: an add-on; nothing in the core, the sessions, the stores or the composition root imports it
  ['src/sessions/probe.ts', '../http/index.js', 'refused'],
  ['src/idempotence/probe.ts', '../http/persistence/http-key-store.js', 'refused'],
  ['src/stores/sqlite/probe.ts', '../../http/persistence/http-key-statements.js', 'refused'],
  ['src/bus/probe.ts', '../http/idempotent-routes.js', 'refused'],
  ['src/http/probe.ts', '../bus/service-bus.js', 'refused'],
  ['src/http/persistence/probe.ts', '../../stores/sqlite/sqlite-database.js', 'refused'],
  ['src/http/fastify/probe.ts', '../../transports/memory/memory-queue.js', 'refused'],
  ['src/http/probe.ts', '../sessions/transactional-session.js', 'allowed'],
  ['src/http/persistence/probe.ts', '../../idempotence/memory/index.js', 'allowed'],
  ['src/http/probe.ts', '../index.js', 'allowed'],
  // samples: the package's public entries, as an application
  ['samples/quickstart/probe.ts', '../../src/handling/handles-message.js', 'refused'],
  ['samples/quickstart/probe.ts', '../../src/index.js', 'allowed'],
];

describe('the layering rule (biome.json, run by `npx biome lint` in CI)', function () {
  this.timeout(60_000);
  let dir = '';
  let refused = new Map<string, string>();

  before(() => {
    // A scratch tree with the project's configuration: the rule matches import specifiers, so the probes'
    // targets need not exist. Each case gets a file of its own under its layer's folder.
    dir = mkdtempSync(join(tmpdir(), 'oncebus-layering-'));
    const config = JSON.parse(readFileSync(join(ROOT, 'biome.json'), 'utf8')) as Record<string, unknown>;
    delete config.$schema;
    writeFileSync(join(dir, 'biome.json'), JSON.stringify(config));
    CASES.forEach(([where, specifier], i) => {
      const file = join(dir, where.replace(/probe\.ts$/, `probe${i}.ts`));
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, `import type { X } from '${specifier}';\nexport type Y = X;\n`);
    });
    const run = spawnSync(BIOME, ['lint', '--reporter=json', '--max-diagnostics=none'], { cwd: dir, encoding: 'utf8' });
    const report = JSON.parse(run.stdout) as { diagnostics: { category: string; message: string; location: { path: string } }[] };
    refused = new Map(report.diagnostics.filter((d) => d.category === 'lint/style/noRestrictedImports').map((d) => [d.location.path, d.message]));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  CASES.forEach(([where, specifier, verdict], i) => {
    it(`${verdict === 'refused' ? 'refuses' : 'allows'} ${specifier} in ${where.replace(/\/probe\.ts$/, '/')}`, () => {
      const message = refused.get(where.replace(/probe\.ts$/, `probe${i}.ts`));
      if (verdict === 'refused') expect(message, 'no diagnostic').to.match(/^(layering|samples)/);
      else expect(message).to.equal(undefined);
    });
  });
});
