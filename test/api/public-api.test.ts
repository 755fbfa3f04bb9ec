import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as extending from '../../src/extending.js';
import * as api from '../../src/index.js';
import * as httpExpress from '../../src/http/express/index.js';
import * as httpFastify from '../../src/http/fastify/index.js';
import * as http from '../../src/http/index.js';
import * as sagas from '../../src/sagas/index.js';

// The runtime exports of the package's entries, compared with committed lists: adding or removing one is a
// deliberate change that shows up in review (update the snapshot file with it).
const snapshot = (name: string): string[] =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../../../test/api/${name}`, import.meta.url)), 'utf8')) as string[];
const source = (name: string): string => readFileSync(fileURLToPath(new URL(`../../../src/${name}`, import.meta.url)), 'utf8');

describe('public API', () => {
  it('oncebus exports exactly the names in the committed snapshot', () => {
    expect(Object.keys(api).sort()).to.deep.equal(snapshot('public-api.snapshot.json'));
  });

  it('oncebus/extending exports exactly the names in the committed snapshot', () => {
    expect(Object.keys(extending).sort()).to.deep.equal(snapshot('extending-api.snapshot.json'));
  });

  it('oncebus/sagas exports exactly the names in the committed snapshot', () => {
    expect(Object.keys(sagas).sort()).to.deep.equal(snapshot('sagas-api.snapshot.json'));
  });

  it('oncebus/http, oncebus/http/fastify and oncebus/http/express export exactly the names in their committed snapshots', () => {
    expect(Object.keys(http).sort()).to.deep.equal(snapshot('http-api.snapshot.json'));
    expect(Object.keys(httpFastify).sort()).to.deep.equal(snapshot('http-fastify-api.snapshot.json'));
    expect(Object.keys(httpExpress).sort()).to.deep.equal(snapshot('http-express-api.snapshot.json'));
  });

  it('the entries only re-export (no logic of their own)', () => {
    for (const entry of ['index.ts', 'extending.ts', 'sagas/index.ts', 'http/index.ts', 'http/fastify/index.ts', 'http/express/index.ts']) {
      const statements = source(entry).split('\n').filter((l) => l.trim() && !l.trim().startsWith('//'));
      const nonExport = statements.filter((l) => !/^(export |\s|\})/.test(l));
      expect(nonExport, entry).to.deep.equal([]);
    }
  });
});
