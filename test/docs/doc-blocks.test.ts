import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const OUT = join(ROOT, '.doc-blocks');
const ENTRIES: Record<string, string> = {
  oncebus: 'src/index.ts',
  'oncebus/extending': 'src/extending.ts',
  'oncebus/sqlite': 'src/stores/sqlite/index.ts',
  'oncebus/postgres': 'src/stores/postgres/index.ts',
  'oncebus/mssql': 'src/stores/mssql/index.ts',
  'oncebus/rabbitmq': 'src/transports/rabbitmq/index.ts',
  'oncebus/azuresb': 'src/transports/azuresb/index.ts',
  'oncebus/testing': 'src/testing/index.ts',
  'oncebus/telemetry': 'src/telemetry/index.ts',
  'oncebus/hosting': 'src/hosting/index.ts',
  'oncebus/drizzle': 'src/orm/drizzle.ts',
  'oncebus/knex': 'src/orm/knex.ts',
};

/** The ```ts blocks of a markdown file, each with the line it starts on. */
function blocks(file: string): { line: number; code: string }[] {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const found: { line: number; code: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```ts') continue;
    const end = lines.indexOf('```', i + 1);
    found.push({ line: i + 1, code: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return found;
}

describe('every TypeScript block in README.md and docs/ compiles against the package (strict, TC39 decorators)', function () {
  this.timeout(120_000);
  const files = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

  it('finds the blocks: the README has its quickstart, store, settings and testing examples', () => {
    expect(blocks('README.md').length).to.be.at.least(6);
  });

  it('type-checks each block as its own module, importing oncebus by its published names', () => {
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT);
    const names: string[] = [];
    for (const file of files) {
      for (const { line, code } of blocks(file)) {
        const name = `${file.replace(/[/.]/g, '_')}_line${line}.mts`;
        writeFileSync(join(OUT, name), `${code}\nexport {};\n`);
        names.push(name);
      }
    }
    const paths = Object.fromEntries(Object.entries(ENTRIES).map(([k, v]) => [k, [`../${v}`]]));
    const compilerOptions = { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], paths };
    writeFileSync(join(OUT, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: names }));
    let output = '';
    try {
      execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', join(OUT, 'tsconfig.json')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error);
    }
    rmSync(OUT, { recursive: true, force: true });
    expect(output, 'a block names its file and line, e.g. README_md_line34.mts').to.equal('');
    expect(names.length).to.be.at.least(9);
  });
});
