import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const sample = fileURLToPath(new URL('../../samples/graceful-shutdown/main.js', import.meta.url));

describe('scenario: SIGTERM stops an endpoint gracefully (the graceful-shutdown sample)', () => {
  it('lets the message in hand finish before the process exits 0', async () => {
    const child = spawn(process.execPath, [sample], { env: { ...process.env, JOB_MS: '400' }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no 'handling' line; output: ${out}`)), 10_000);
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('handling job-1')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGTERM');
    const code = await exited;
    expect(code).to.equal(0);
    const lines = out.trim().split('\n');
    expect(lines.indexOf('handled job-1'), out).to.be.greaterThan(lines.indexOf('SIGTERM: stopping the endpoint'));
    expect(lines.at(-1)).to.equal('endpoint stopped');
  });
});
