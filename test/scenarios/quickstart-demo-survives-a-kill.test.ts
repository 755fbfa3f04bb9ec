import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DEMO = fileURLToPath(new URL('../../samples/quickstart/main.js', import.meta.url));

function run(db: string, ...args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [DEMO, ...args], { env: { ...process.env, ONCEBUS_DEMO_DB: db }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code, signal) => resolve({ code, signal, out }));
  });
}

describe('the quickstart demo (npm start) on its SQLite file', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'oncebus-demo-'));
  const db = join(dir, 'demo.db');
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the send, publish, duplicate and retry story and finds nothing lost or doubled', async () => {
    const { code, out } = await run(db, '--fresh');
    expect(code, out).to.equal(0);
    expect(out).to.match(/invoices order A-/);
    expect(out).to.match(/reserves stock for order A-/);
    expect(out).to.match(/already completed, so acknowledged without running the handler/);
    expect(out).to.match(/error queue \(failed 3 time\(s\)/);
    expect(out).to.include('Nothing lost, nothing doubled.');
  });

  it('killed right after a commit (--crash), then started again: recovers the committed order without running it twice', async () => {
    const crashed = await run(db, '--crash');
    expect(crashed.signal, crashed.out).to.equal('SIGKILL');
    const again = await run(db);
    expect(again.code, again.out).to.equal(0);
    expect(again.out).to.match(/A previous run ended early: \d+ message\(s\) were still queued/);
    expect(again.out).to.match(/committed before a crash: handler skipped/);
    expect(again.out).to.match(/3 order\(s\) recorded over all runs; doubled: 0; missing invoice or reservation: 0/);
    expect(again.out).to.include('Nothing lost, nothing doubled.');
  });
});
