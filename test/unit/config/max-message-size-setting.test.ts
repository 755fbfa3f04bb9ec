import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InvalidSettingsError } from '../../../src/config/check-settings.js';
import { loadEndpointSettings } from '../../../src/config/load-endpoint-options.js';
import { resolveEndpointOptions } from '../../../src/config/resolved-options.js';

const inbox = { workQueueUri: 'memory://a', errorQueueUri: 'memory://a-error' };

describe('setting: maxMessageSize', () => {
  it('defaults to 4 MiB and takes a whole number of bytes from a file or the environment', () => {
    expect(resolveEndpointOptions({ inbox }).maxMessageSize).to.equal(4 * 1024 * 1024);
    const file = join(mkdtempSync(join(tmpdir(), 'oncebus-cfg-')), 'endpoint.json');
    writeFileSync(file, JSON.stringify({ inbox, maxMessageSize: 65536 }));
    expect(loadEndpointSettings(file, {}).maxMessageSize).to.equal(65536);
    expect(loadEndpointSettings(file, { ONCEBUS_MAX_MESSAGE_SIZE: '8388608' }).maxMessageSize).to.equal(8388608);
  });

  it('refuses what would make every message too large, or no bound at all, naming the setting', () => {
    const problems = (value: unknown): string[] => {
      try {
        resolveEndpointOptions({ inbox, maxMessageSize: value as number });
        return [];
      } catch (error) {
        return (error as InvalidSettingsError).problems.map((p) => `${p.setting}: ${p.problem}`);
      }
    };
    expect(problems(100)).to.deep.equal(['maxMessageSize: must be at least 1024 bytes, got 100']);
    expect(problems(2 ** 31)).to.deep.equal([`maxMessageSize: must be at most 1 GiB (1073741824 bytes), got ${2 ** 31}`]);
    expect(problems(1.5e4 + 0.5)).to.deep.equal(['maxMessageSize: must be a whole number of bytes, got 15000.5']);
    expect(problems('4MB')).to.deep.equal(['maxMessageSize: must be a number of bytes, got "4MB"']);
  });
});
