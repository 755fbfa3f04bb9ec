import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TOOL = join(ROOT, 'tools/typedoc');

describe('the API reference (TypeDoc, warnings as errors)', function () {
  // npm ci of TypeDoc and TypeScript 5 in their own folder (TypeDoc needs TypeScript's JS API), then the build.
  this.timeout(300_000);

  it('builds clean: every public signature leads to a documented type', () => {
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: TOOL, stdio: 'ignore' });
    // Built now, not left over from an earlier build.
    rmSync(join(ROOT, '.build/api/index.html'), { force: true });
    // TypeDoc writes its warnings to stderr and exits non-zero on them (treatWarningsAsErrors).
    const run = spawnSync(join(TOOL, 'node_modules/.bin/typedoc'), ['--options', join(TOOL, 'typedoc.json')], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    const output = `${run.stdout}${run.stderr}`;
    expect(run.status, output).to.equal(0);
    expect(output, output).not.to.match(/warning|error/i);
    expect(existsSync(join(ROOT, '.build/api/index.html'))).to.equal(true);
  });
});
