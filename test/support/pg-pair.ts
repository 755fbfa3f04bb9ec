import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

/**
 * The primary + standby pair of scripts/pg-pair.sh (ports 5441 and 5442, roles moving with failovers), and
 * what a failover test does to it: kill the primary, hold back the standby's WAL receiver, promote, rejoin.
 * Killing and pausing need the pair's processes to be this user's or root's (CI and the sessions run as root).
 */
const PORTS = [5441, 5442] as const;
export const PAIR_DIR = process.env.PG_PAIR_DIR ?? '/var/lib/postgresql/oncebus-pair';
export const PAIR_URL = 'postgres://oncebus:oncebus@127.0.0.1:5441,127.0.0.1:5442/oncebus?target_session_attrs=read-write';
const REPO = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const run = promisify(execFile);

const dataDirOf = (port: number): string => join(PAIR_DIR, port === 5441 ? 'a' : 'b');
const urlOf = (port: number): string => `postgres://oncebus:oncebus@127.0.0.1:${port}/oncebus`;

/** One statement on one node of the pair; null when the node does not answer. */
export async function onNode<R extends object>(port: number, sql: string, params: unknown[] = []): Promise<R[] | null> {
  const client = new pg.Client({ connectionString: urlOf(port), connectionTimeoutMillis: 1500 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.query(sql, params)).rows as R[];
  } catch {
    return null;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Each node's role now: 'primary', 'standby' or 'down'. */
export async function roles(): Promise<Record<number, 'primary' | 'standby' | 'down'>> {
  const out: Record<number, 'primary' | 'standby' | 'down'> = {};
  for (const port of PORTS) {
    const rows = await onNode<{ r: boolean }>(port, 'SELECT pg_is_in_recovery() AS r');
    out[port] = rows === null ? 'down' : rows[0]!.r ? 'standby' : 'primary';
  }
  return out;
}

export async function primaryPort(): Promise<number | null> {
  const r = await roles();
  return PORTS.find((p) => r[p] === 'primary') ?? null;
}

/** Whether the pair is up: one primary, one standby streaming from it. */
export async function pairAvailable(): Promise<boolean> {
  const r = Object.values(await roles());
  return r.includes('primary') && r.includes('standby');
}

/** `pg-pair.sh rejoin`: starts what is down; a failed-over former primary comes back as the new one's standby. */
export async function rejoin(): Promise<void> {
  await run('bash', [join(REPO, 'scripts/pg-pair.sh'), 'rejoin'], { timeout: 120_000 });
}

/**
 * synchronous_standby_names '*' (sync) or '' (async) on both nodes, reloaded; waits until the primary's
 * standby shows it. The standby's own setting is the one its promotion keeps (postgresql.auto.conf is a
 * file of each node, not replicated).
 */
export async function setMode(mode: 'sync' | 'async'): Promise<void> {
  const port = await primaryPort();
  if (port === null) throw new Error('no primary in the pair');
  for (const node of PORTS) {
    await onNode(node, `ALTER SYSTEM SET synchronous_standby_names = '${mode === 'sync' ? '*' : ''}'`);
    await onNode(node, 'SELECT pg_reload_conf()');
  }
  for (let i = 0; i < 100; i++) {
    const rows = await onNode<{ s: string }>(port, "SELECT sync_state AS s FROM pg_stat_replication");
    if (rows?.some((r) => r.s === (mode === 'sync' ? 'sync' : 'async'))) return;
    await sleep(100);
  }
  throw new Error(`the standby did not become ${mode}`);
}

/** The postmaster's pid of the node on `port` (first line of postmaster.pid). */
function postmasterPid(port: number): number {
  return Number(readFileSync(join(dataDirOf(port), 'postmaster.pid'), 'utf8').split('\n')[0]);
}

/** The pids of the postmaster's children (backends, WAL sender, checkpointer…), from /proc. */
async function childrenOf(pid: number): Promise<number[]> {
  const { stdout } = await run('ps', ['-o', 'pid=', '--ppid', String(pid)]);
  return stdout.split('\n').map((s) => Number(s.trim())).filter((n) => n > 0);
}

/**
 * The primary's machine is gone: SIGKILL its postmaster and every process of it at once, so no backend
 * answers anything more (a postmaster killed alone leaves backends finishing what they were doing).
 */
export async function killNode(port: number): Promise<void> {
  const pid = postmasterPid(port);
  const children = await childrenOf(pid);
  for (const p of [pid, ...children]) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/** A clean, fast shutdown of one node (SIGINT to its postmaster), waiting until it answers no more. */
export async function stopNode(port: number): Promise<void> {
  process.kill(postmasterPid(port), 'SIGINT');
  for (let i = 0; i < 300 && (await onNode(port, 'SELECT 1')) !== null; i++) await sleep(100);
}

/**
 * The link to the standby stalls: the primary's WAL sender is stopped (SIGSTOP), so new WAL stays on the
 * primary, as over a slow or partitioned link; killNode ends it with the rest. (Stopping the standby's
 * receiver instead would leave the WAL in the socket, read after the primary died: nothing lost on
 * loopback; killing the receiver makes the standby's postmaster restart itself.)
 */
export async function holdWalSender(primary: number): Promise<void> {
  const rows = await onNode<{ pid: number }>(primary, 'SELECT pid FROM pg_stat_replication');
  if (!rows?.length) throw new Error(`no WAL sender on ${primary}`);
  for (const { pid } of rows) process.kill(pid, 'SIGSTOP');
}

/** pg_promote() on the standby, waiting until it runs as a primary. */
export async function promote(port: number): Promise<void> {
  const rows = await onNode<{ ok: boolean }>(port, 'SELECT pg_promote(true, 30) AS ok');
  if (!rows?.[0]?.ok) throw new Error(`the standby on ${port} was not promoted`);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const otherPort = (port: number): number => (port === 5441 ? 5442 : 5441);
