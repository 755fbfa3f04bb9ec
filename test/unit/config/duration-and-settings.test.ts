import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDuration } from '../../../src/config/duration.js';
import { loadEndpointSettings } from '../../../src/config/load-endpoint-options.js';
import { InvalidSettingsError } from '../../../src/config/check-settings.js';
import { ConfigurationError } from '../../../src/errors/errors.js';

describe('configuration', () => {
  it('parses durations in ms or with units, and names the setting when it cannot', () => {
    expect(parseDuration(250, 'x')).to.equal(250);
    expect(parseDuration('250ms', 'x')).to.equal(250);
    expect(parseDuration('5s', 'x')).to.equal(5000);
    expect(parseDuration('2m', 'x')).to.equal(120_000);
    expect(parseDuration('1.5h', 'x')).to.equal(5_400_000);
    expect(parseDuration('7d', 'x')).to.equal(604_800_000);
    expect(() => parseDuration('-1s', 'inbox.x')).to.throw(ConfigurationError, /inbox\.x/);
    expect(() => parseDuration(-5, 'y')).to.throw(ConfigurationError, /y:/);
  });

  it('reads endpoint settings from a JSON file, with environment overrides by path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oncebus-cfg-'));
    const file = join(dir, 'endpoint.json');
    writeFileSync(file, JSON.stringify({ inbox: { workQueueUri: 'memory://a', errorQueueUri: 'memory://a-error', threadCount: 2 } }));
    const settings = loadEndpointSettings(file, {
      ONCEBUS_INBOX__THREAD_COUNT: '8',
      ONCEBUS_INBOX__WORKQUEUEURI: 'memory://b',
      ONCEBUS_IDEMPOTENCE: 'true',
      ONCEBUS_INBOX__DURATION_TO_IGNORE_ON_FAILURE: '["1s","5s"]',
      UNRELATED: 'x',
      // Not settings: the oncebus command's own variables, and any other ONCEBUS_ name that starts with no setting.
      ONCEBUS_STORE: 'sqlite:oncebus.db',
      ONCEBUS_SCHEMA: 'ops',
      ONCEBUS_SUMMARY_FILE: '/tmp/summary',
    });
    expect(settings).to.deep.equal({
      inbox: { workQueueUri: 'memory://b', errorQueueUri: 'memory://a-error', threadCount: 8, durationToIgnoreOnFailure: ['1s', '5s'] },
      idempotence: true,
    });
  });

  it('refuses unknown settings from the file and from the environment, with every bad value, at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oncebus-cfg-'));
    const file = join(dir, 'endpoint.json');
    writeFileSync(file, JSON.stringify({ idempotance: true, inbox: { workQueueUri: 'memory://a', errorQueueUri: 'memory://a-error', threadcount: 2 } }));
    let error: unknown;
    try {
      loadEndpointSettings(file, { ONCEBUS_INBOX__NOPE: '1', ONCEBUS_INBOX__MAXIMUM_FAILURE_COUNT: 'many' });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(InvalidSettingsError);
    const problems = (error as InvalidSettingsError).problems.map((p) => `${p.setting}: ${p.problem}`);
    expect(problems).to.have.members([
      "idempotance: unknown setting; did you mean 'idempotence'?",
      "inbox.threadcount: unknown setting; did you mean 'threadCount'?",
      'inbox.nope: unknown setting; known here: workQueueUri, errorQueueUri, threadCount, maximumFailureCount, durationToIgnoreOnFailure, durationToSleepWhenIdle, deferredQueueUri (set by ONCEBUS_INBOX__NOPE)',
      'inbox.maximumFailureCount: must be a number, got "many" (set by ONCEBUS_INBOX__MAXIMUM_FAILURE_COUNT)',
    ]);
    expect((error as Error).message).to.match(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: 4 problems:\n`));
  });

  it('names the file when it cannot be read or is not an object', () => {
    expect(() => loadEndpointSettings('/nonexistent/endpoint.json', {})).to.throw(ConfigurationError, /endpoint\.json/);
    const dir = mkdtempSync(join(tmpdir(), 'oncebus-cfg-'));
    const file = join(dir, 'list.json');
    writeFileSync(file, '[1,2]');
    expect(() => loadEndpointSettings(file, {})).to.throw(ConfigurationError, /must be a JSON object/);
  });
});
