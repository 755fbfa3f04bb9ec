import { expect } from 'chai';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { requireService } from '../support/integration.js';
import { PG_URL, postgresAvailable } from '../support/sql-subjects.js';
import { RABBITMQ_URL } from '../support/rabbitmq.js';
import { type DocBlock, docBlocks } from './doc-block-parser.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RUNNER = fileURLToPath(new URL('./doc-block-runner.js', import.meta.url));

/**
 * The addresses the docs write for their servers, and what a block runs against instead: the test servers,
 * each block in a PostgreSQL schema of its own (its tables too, through search_path) so that runs beside
 * other test runs never meet.
 */
function substitute(code: string, schema: string): string {
  const rabbit = new URL(RABBITMQ_URL);
  const pgUrl = new URL(PG_URL);
  pgUrl.searchParams.set('options', `-c search_path=${schema}`);
  return code
    .replaceAll("'postgres://app@localhost/shop'", `'${pgUrl.href}'`)
    .replaceAll("process.env.PG_URL ?? ''", `'${pgUrl.href}'`)
    .replaceAll("schema: 'oncebus'", `schema: '${schema}'`)
    .replaceAll("{ username: 'app', password: 'secret' }", `{ username: '${decodeURIComponent(rabbit.username)}', password: '${decodeURIComponent(rabbit.password)}' }`)
    .replaceAll('rabbitmq://localhost/', `rabbitmq://${rabbit.host}/${schema}-`);
}

/** Runs one compiled block in a child process, in a scratch directory holding a copy of the project's config/ (the README loads a settings file from it). */
function run(file: string): Promise<{ ok: boolean; output: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'oncebus-doc-block-'));
  cpSync(join(ROOT, 'config'), join(cwd, 'config'), { recursive: true });
  return new Promise((resolve) => {
    execFile(process.execPath, [RUNNER, file], { cwd, timeout: 30_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      rmSync(cwd, { recursive: true, force: true });
      // A block runs clean: an endpoint that logged an error or a warning (a handler that failed) fails it too.
      const output = `${stdout}${stderr}`.trim();
      resolve({ ok: !error && !/^(error|warn):/m.test(output), output });
    });
  });
}

describe('README.md and docs/: every TypeScript block compiles against the package (strict, TC39 decorators), and every block not marked `ts fragment` runs', function () {
  this.timeout(180_000);
  const files = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const all = files.flatMap((file) => docBlocks(file, readFileSync(join(ROOT, file), 'utf8')));
  const id = randomBytes(4).toString('hex');
  const out = join(ROOT, `.doc-blocks-${id}`);
  const schemaOf = (block: DocBlock) => `docs_${id}_${block.name.replace(/\W/g, '_').toLowerCase()}`.slice(0, 63);
  let compiled = '';

  before(async function () {
    requireService(this, 'PostgreSQL', await postgresAvailable(), 'the blocks that use it run against PG_URL');
    // The blocks import oncebus by its published names: a node_modules/oncebus beside them is this package
    // (its exports map to dist/src, types and code alike); other packages resolve from the repository's.
    mkdirSync(join(out, 'node_modules'), { recursive: true });
    symlinkSync(ROOT, join(out, 'node_modules', 'oncebus'), 'dir');
    for (const block of all) writeFileSync(join(out, `${block.name}.mts`), `${block.fragment ? block.code : substitute(block.code, schemaOf(block))}\nexport {};\n`);
    const compilerOptions = { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, types: ['node'], outDir: 'js' };
    writeFileSync(join(out, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: all.map((b) => `${b.name}.mts`) }));
    try {
      execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', join(out, 'tsconfig.json')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      compiled = String((error as { stdout?: string }).stdout ?? error);
    }
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      for (const block of all.filter((b) => !b.fragment)) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schemaOf(block)}`);
    } finally {
      await client.end();
    }
  });

  after(async () => {
    rmSync(out, { recursive: true, force: true });
    if (!(await postgresAvailable())) return;
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      for (const block of all.filter((b) => !b.fragment)) await client.query(`DROP SCHEMA IF EXISTS ${schemaOf(block)} CASCADE`);
    } finally {
      await client.end();
    }
  });

  it('finds the blocks: the README has its quickstart, store, settings and testing examples', () => {
    expect(all.filter((b) => b.file === 'README.md').length).to.be.at.least(6);
    expect(all.length).to.be.at.least(9);
  });

  it('type-checks each block as its own module, importing oncebus by its published names', () => {
    expect(compiled, 'a block names its file and line, e.g. README_md_line34.mts').to.equal('');
  });

  it('runs each block not marked as a fragment to its end: a block that throws or rejects fails', async () => {
    const runnable = all.filter((b) => !b.fragment);
    expect(runnable.length, 'most blocks run').to.be.greaterThan(all.length / 2);
    const failures: string[] = [];
    // Two at a time: each block is a Node.js process of its own (message type names are per process).
    const queue = [...runnable];
    const worker = async () => {
      for (let block = queue.shift(); block; block = queue.shift()) {
        const { ok, output } = await run(join(out, 'js', `${block.name}.mjs`));
        if (!ok) failures.push(`${block.file}:${block.line}:\n${output}`);
      }
    };
    await Promise.all([worker(), worker()]);
    expect(failures.join('\n\n'), 'the blocks that failed, with their output').to.equal('');
  });
});
