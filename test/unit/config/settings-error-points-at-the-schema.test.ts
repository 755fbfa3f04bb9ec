import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as v from 'valibot';
import { checkSettings, InvalidSettingsError } from '../../../src/config/check-settings.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

describe('InvalidSettingsError points at the settings schema where an installed package has it', () => {
  const error = (() => {
    try {
      checkSettings(v.strictObject({ name: v.string() }), { nmae: 'sales' }, 'sales.json');
    } catch (e) {
      return e as InvalidSettingsError;
    }
    throw new Error('the settings were accepted');
  })();
  const pointer = /node_modules\/oncebus\/(\S+\.json)/.exec(error.hint ?? '');

  it('names node_modules/oncebus/<path> in its hint', () => {
    expect(error).to.be.instanceOf(InvalidSettingsError);
    expect(pointer, error.hint).not.to.equal(null);
  });

  it('names a file of the repository that package.json "files" ships', () => {
    const path = pointer?.[1] ?? '';
    expect(existsSync(join(ROOT, path)), path).to.equal(true);
    const { files } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    expect(files.some((f) => !f.startsWith('!') && (path === f || path.startsWith(`${f}/`))), `${path} in ${files.join(', ')}`).to.equal(true);
  });
});
