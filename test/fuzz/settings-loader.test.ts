import fc from 'fast-check';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSettings } from '../../src/config/check-settings.js';
import { parseDuration, parseDurations } from '../../src/config/duration.js';
import { endpointSettingsSchema } from '../../src/config/endpoint-schema.js';
import { applyEnvironment, loadEndpointSettings } from '../../src/config/load-endpoint-options.js';
import { resolveEndpointOptions } from '../../src/config/resolved-options.js';
import type { EndpointOptions } from '../../src/config/endpoint-options.js';
import { check, PROPERTY_TIMEOUT_MS, typedOrResult } from './fuzz-runs.js';

const settingNames = ['inbox', 'outbox', 'workQueueUri', 'errorQueueUri', 'deferredQueueUri', 'threadCount', 'maximumFailureCount', 'durationToIgnoreOnFailure', 'durationToSleepWhenIdle', 'name', 'routes', 'uri', 'specifications', 'startsWith', 'regex', 'types', 'subscriptions', 'idempotence', 'enabled', 'compression', 'encryption', 'stopTimeout', 'handlerTimeout', 'sessionSweepInterval', 'createQueues', 'maxMessageSize', 'trustedConnections', '$schema'];
const key = fc.oneof(fc.constantFrom(...settingNames), fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'), fc.string({ maxLength: 8 }));
const leaf = fc.oneof(
  fc.constantFrom('memory://a', 'memory://a-error', '5s', '250ms', 'x://', 1, 0, -1, 1.5, 4096, true, null, '', '1e999'),
  fc.string({ maxLength: 10 }),
  fc.double(),
  fc.bigInt(),
);

/** Settings shaped like the schema's, with hostile keys and values anywhere; anything at all, sometimes. */
const { settings } = fc.letrec<{ settings: unknown }>((tie) => ({
  settings: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('settings'), { maxLength: 3 }),
    fc.dictionary(key, tie('settings'), { maxKeys: 5 }),
    fc.anything({ withBigInt: true, withNullPrototype: true, withMap: true, withSet: true, withDate: true, withSparseArray: true, maxDepth: 3 }),
  ),
}));

const envName = fc.oneof(
  fc.constantFrom('INBOX__THREAD_COUNT', 'INBOX__WORKQUEUEURI', 'IDEMPOTENCE', 'MAX_MESSAGE_SIZE', 'TRUSTED_CONNECTIONS', 'INBOX', 'ROUTES__0__URI', 'INBOX____X', 'INBOX__CONSTRUCTOR', 'INBOX__HAS_OWN_PROPERTY', 'INBOX__PROTO__', 'INBOX___PROTO___'),
  fc.string({ maxLength: 20 }),
);
const env = fc.dictionary(envName.map((n) => `ONCEBUS_${n}`), fc.oneof(fc.string({ maxLength: 12 }), fc.json({ maxDepth: 2 })), { maxKeys: 4 });

/** The value as a settings file would hold it; what JSON cannot hold makes a broken file. */
function jsonOrBroken(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '{';
  }
}

describe('fuzz: the settings loader (src/config) reads any settings and environment, or says what is wrong, typed', function () {
  this.timeout(PROPERTY_TIMEOUT_MS);
  // In memory where the machine has it: a file written per case, 10,000 times, is slow on a real disk.
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'oncebus-fuzz-settings-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('checks any settings value against the schema, with any environment applied', async () => {
    await check(fc.tuple(settings, env), ([value, variables]) => {
      typedOrResult(() => {
        if (typeof value === 'object' && value !== null && !Array.isArray(value)) applyEnvironment(value as Record<string, unknown>, variables);
        return checkSettings(endpointSettingsSchema, value, 'fuzzed settings');
      });
    });
  });

  it('resolves any options object passed in code', async () => {
    await check(settings, (value) => {
      typedOrResult(() => resolveEndpointOptions(value as EndpointOptions));
    });
  });

  it('loads any file with any environment', async () => {
    const file = join(dir, 'endpoint.json');
    const content = fc.oneof(settings.map(jsonOrBroken), fc.string({ unit: 'binary', maxLength: 80 }));
    await check(fc.tuple(content, env), ([text, variables]) => {
      writeFileSync(file, text);
      typedOrResult(() => loadEndpointSettings(file, variables));
    });
  });

  it('parses any duration', async () => {
    await check(fc.oneof(settings, fc.string({ maxLength: 12 })), (value) => {
      typedOrResult(() => parseDuration(value as string, 'fuzzed'));
      typedOrResult(() => parseDurations(value as string[], 'fuzzed'));
    });
  });
});
