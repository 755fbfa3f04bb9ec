// CPU spent per message by each party of a case — this process, the broker (beam.smp) and the database
// (every postgres process) — read from /proc at the first message handled and at the last. On a 2-core
// machine the three share the cores, so where the time goes is a matter of CPU, not of one party's clock.
import { readdirSync, readFileSync } from 'node:fs';

export interface CpuSnapshot {
  readonly nodeUserUs: number;
  readonly nodeSystemUs: number;
  /** null when the server does not run on this machine (or /proc is not there). */
  readonly brokerUs: number | null;
  readonly databaseUs: number | null;
}

export interface CpuPerMessage {
  readonly nodeUs: number;
  readonly nodeSystemUs: number;
  readonly brokerUs?: number;
  readonly databaseUs?: number;
}

/** Linux reports process times in clock ticks of 10 ms (USER_HZ is 100 on every mainstream kernel). */
const US_PER_TICK = 10_000;

/** utime + stime of every process whose command name is `comm`, in µs; null when there is none. */
function ticksOf(comms: readonly string[]): Map<string, number | null> {
  const totals = new Map<string, number | null>(comms.map((c) => [c, null]));
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return totals;
  }
  for (const pid of entries) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (!totals.has(comm)) continue;
      // Fields after the parenthesised command name: state is field 3, utime 14 and stime 15.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      totals.set(comm, (totals.get(comm) ?? 0) + ticks * US_PER_TICK);
    } catch {
      // The process ended between listing and reading.
    }
  }
  return totals;
}

export function cpuSnapshot(): CpuSnapshot {
  const own = process.cpuUsage();
  const servers = ticksOf(['beam.smp', 'postgres']);
  return { nodeUserUs: own.user, nodeSystemUs: own.system, brokerUs: servers.get('beam.smp') ?? null, databaseUs: servers.get('postgres') ?? null };
}

/** µs of CPU per message between two snapshots; a party is left out when it was not seen both times. */
export function cpuPerMessage(from: CpuSnapshot, to: CpuSnapshot, messages: number): CpuPerMessage {
  const per = (a: number | null, b: number | null) => (a === null || b === null ? undefined : Math.round((b - a) / messages));
  return {
    nodeUs: Math.round((to.nodeUserUs + to.nodeSystemUs - from.nodeUserUs - from.nodeSystemUs) / messages),
    nodeSystemUs: Math.round((to.nodeSystemUs - from.nodeSystemUs) / messages),
    ...(per(from.brokerUs, to.brokerUs) !== undefined && { brokerUs: per(from.brokerUs, to.brokerUs) }),
    ...(per(from.databaseUs, to.databaseUs) !== undefined && { databaseUs: per(from.databaseUs, to.databaseUs) }),
  };
}

/** utime + stime of each of `pids` in µs (a process that ended is left out). */
export function cpuOfProcesses(pids: readonly number[]): Map<number, number> {
  const totals = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      totals.set(pid, (Number(fields[11]) + Number(fields[12])) * US_PER_TICK);
    } catch {
      // Ended, or not on this machine.
    }
  }
  return totals;
}
