import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as api from '../../src/index.js';

// The runtime exports of the package entry, compared with a committed list: adding or removing one is a
// deliberate change that shows up in review (update public-api.snapshot.json with it).
const snapshotFile = fileURLToPath(new URL('../../../test/api/public-api.snapshot.json', import.meta.url));

describe('public API', () => {
  it('exports exactly the names in the committed snapshot', () => {
    const expected = JSON.parse(readFileSync(snapshotFile, 'utf8')) as string[];
    expect(Object.keys(api).sort()).to.deep.equal(expected);
  });

  it('the index only re-exports (no logic of its own)', () => {
    const source = readFileSync(fileURLToPath(new URL('../../../src/index.ts', import.meta.url)), 'utf8');
    const statements = source.split('\n').filter((l) => l.trim() && !l.trim().startsWith('//'));
    const nonExport = statements.filter((l) => !/^(export |\s|\})/.test(l));
    expect(nonExport).to.deep.equal([]);
  });
});
