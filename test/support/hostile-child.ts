import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HostileConfig, HostileReport } from './hostile-endpoint.js';

const CHILD = fileURLToPath(new URL('./hostile-endpoint.js', import.meta.url));

/** Runs hostile-endpoint.ts in a fresh process (so its peak memory is its own) and returns its report. */
export function runHostileEndpoint(config: HostileConfig): Promise<HostileReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD], { env: { ...process.env, HOSTILE_CONFIG: JSON.stringify(config) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as HostileReport);
      else reject(new Error(`the hostile endpoint ended with ${signal ?? `exit code ${code}`}: ${err.slice(-2000) || out.slice(-2000)}`));
    });
  });
}
