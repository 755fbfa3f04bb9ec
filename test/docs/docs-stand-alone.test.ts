import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const THIS_FILE = 'test/docs/docs-stand-alone.test.ts';

/** The project's files under `dir` (relative paths), skipping what is built, installed or generated. */
function filesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir))) {
    const path = join(dir, entry);
    if (/^(node_modules|dist|\.git|\.doc-blocks.*)$/.test(entry)) continue;
    if (statSync(join(ROOT, path)).isDirectory()) found.push(...filesUnder(path));
    else if (/\.(md|ts|mts|cts|json|pml|sh|cjs|mjs)$/.test(entry)) found.push(path);
  }
  return found;
}

describe('the docs stand alone: what they cite is in the repository', () => {
  it('no project file cites a design brief or a folder outside the repository', () => {
    const files = ['README.md', 'CHANGELOG.md', ...['docs', 'src', 'test', 'samples', 'config', 'scripts'].flatMap(filesUnder)].filter((f) => f !== THIS_FILE);
    const citing = files.filter((f) => /DESIGN\.md|\.\.\/shared\/|\/work\/shared/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(citing).to.deep.equal([]);
  });

  it('every relative link and image of README.md and docs/*.md points at a file that exists', () => {
    const broken: string[] = [];
    for (const file of ['README.md', ...filesUnder('docs').filter((f) => f.endsWith('.md'))]) {
      for (const [, target] of readFileSync(join(ROOT, file), 'utf8').matchAll(/\]\(([^)\s]+)\)/g)) {
        if (!target || /^[a-z]+:|^#/.test(target)) continue;
        const path = join(dirname(join(ROOT, file)), decodeURI(target.split('#')[0] ?? ''));
        if (!existsSync(path)) broken.push(`${file}: ${target} (${relative(ROOT, path)})`);
      }
    }
    expect(broken).to.deep.equal([]);
  });
});
