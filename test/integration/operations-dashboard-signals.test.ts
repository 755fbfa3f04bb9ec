import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../src/operations/cli/bin.js', import.meta.url));

/** Starts `oncebus dashboard` in a child process; resolves once it printed its address. */
async function dashboard(store: string): Promise<{ child: ChildProcess; url: URL; output: () => string }> {
  const child = spawn(process.execPath, [BIN, 'dashboard', '--store', store], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = await new Promise<URL>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the dashboard did not start: ${output}`)), 15_000);
    const poll = setInterval(() => {
      const found = /oncebus dashboard: (http\S+)/.exec(output);
      if (!found) return;
      clearInterval(poll);
      clearTimeout(timer);
      resolve(new URL(found[1]!));
    }, 25);
    child.once('exit', () => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`the dashboard exited at start: ${output}`));
    });
  });
  return { child, url, output: () => output };
}

const refused = (url: URL) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });

describe('npx oncebus dashboard: SIGTERM and SIGINT stop the server and end the process', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'oncebus-dashboard-signal-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal}, with a browser's keep-alive connection open: exit code 0 within 5 s, the port closed`, async () => {
      const { child, url, output } = await dashboard(`sqlite:${join(dir, 'ops.db')}`);
      const agent = new http.Agent({ keepAlive: true });
      try {
        const status = await new Promise<number>((resolve, reject) =>
          http.get(new URL('/api/session', url), { agent }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          }).on('error', reject),
        );
        expect(status, 'it answered').to.be.within(200, 499);
        const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, sig) => resolve({ code, signal: sig })));
        child.kill(signal);
        const outcome = await Promise.race([exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 5000))]);
        if (outcome === 'still running') child.kill('SIGKILL');
        expect(outcome, output()).to.deep.equal({ code: 0, signal: null });
        expect(await refused(url), 'nothing listens on its port').to.equal(true);
      } finally {
        agent.destroy();
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    });
  }
});
