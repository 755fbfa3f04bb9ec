import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { PG_URL } from './sql-subjects.js';

/** Whether this process can stop and start the PostgreSQL server behind PG_URL (a local Debian cluster, as root). */
export function canControlPostgres(): boolean {
  const local = /@(127\.0\.0\.1|localhost)[:/]/.test(PG_URL);
  return local && existsSync('/usr/bin/pg_ctlcluster') && process.getuid?.() === 0 && existsSync('/etc/postgresql');
}

function cluster(): string {
  const versions = readdirSync('/etc/postgresql').sort((a, b) => Number(a) - Number(b));
  return versions[versions.length - 1]!;
}

export function stopPostgres(): void {
  execFileSync('pg_ctlcluster', [cluster(), 'main', 'stop', '-m', 'fast'], { stdio: 'ignore' });
}

function ready(): boolean {
  try {
    execFileSync('pg_isready', ['-q', '-h', '127.0.0.1'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Starts the cluster unless it is running, and waits until it accepts connections. */
export function startPostgres(): void {
  if (ready()) return;
  execFileSync('pg_ctlcluster', [cluster(), 'main', 'start'], { stdio: 'ignore' });
  for (let i = 0; i < 120 && !ready(); i++) execFileSync('sleep', ['0.25']);
  if (!ready()) throw new Error('PostgreSQL did not come back');
}
