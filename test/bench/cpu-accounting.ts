// CPU spent per message by each party of a case — this process, the broker (beam.smp) and the database
// (every postgres process) — read from /proc at the first message handled and at the last. On a 2-core
// machine the three share the cores, so where the time goes is a matter of CPU, not of one party's clock.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface CpuSnapshot {
  /** This process's CPU when the snapshot was done: what a later snapshot counts from. */
  readonly nodeUserUs: number;
  readonly nodeSystemUs: number;
  /** This process's CPU when the snapshot began: what it counts to from an earlier one (its own /proc scan, up to 50 ms, is no part of a case). */
  readonly nodeUserUsBefore: number;
  readonly nodeSystemUsBefore: number;
  /** null when the server does not run on this machine (or /proc is not there). */
  readonly brokerUs: number | null;
  readonly databaseUs: number | null;
  /** µs by pid of every postgres process: the server's CPU counted over the processes alive at both snapshots. */
  readonly databaseByPidUs: ReadonlyMap<string, number>;
  /** µs by pid of every beam.smp process (another RabbitMQ node on the machine counts too). */
  readonly brokerByPidUs: ReadonlyMap<string, number>;
  /** µs by pid of the postgres backends serving this process's connections (see ownBackends). */
  readonly ownBackendsUs: ReadonlyMap<string, number>;
}

export interface CpuPerMessage {
  readonly nodeUs: number;
  readonly nodeSystemUs: number;
  readonly brokerUs?: number;
  readonly databaseUs?: number;
  /**
   * The share of databaseUs spent by the backends serving this process's own connections: what this case
   * cost the database, without other work on the same server (other clients; the background writers too).
   */
  readonly ownDatabaseUs?: number;
}

/** Linux reports process times in clock ticks of 10 ms (USER_HZ is 100 on every mainstream kernel). */
const US_PER_TICK = 10_000;

/**
 * The local ports of this process's TCP connections: its sockets' inodes (/proc/self/fd) looked up in the
 * connection tables. A postgres backend's process title names its client's address and port.
 */
function ownLocalPorts(): Set<string> {
  const ports = new Set<string>();
  try {
    const inodes = new Set<string>();
    for (const fd of readdirSync('/proc/self/fd')) {
      try {
        const target = readlinkSync(`/proc/self/fd/${fd}`);
        if (target.startsWith('socket:[')) inodes.add(target.slice(8, -1));
      } catch {
        // Closed between listing and reading.
      }
    }
    for (const table of ['/proc/self/net/tcp', '/proc/self/net/tcp6']) {
      let lines: string[];
      try {
        lines = readFileSync(table, 'utf8').split('\n').slice(1);
      } catch {
        continue;
      }
      for (const line of lines) {
        // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
        const fields = line.trim().split(/\s+/);
        if (fields.length > 9 && inodes.has(fields[9]!)) ports.add(String(Number.parseInt(fields[1]!.split(':')[1]!, 16)));
      }
    }
  } catch {
    // No /proc: nothing is attributed.
  }
  return ports;
}

/** The AMQP port whose listener is the broker measured: RABBITMQ_URL's (5672 by default). */
const AMQP_PORT = Number(new URL(process.env.RABBITMQ_URL ?? 'amqp://127.0.0.1').port || 5672);
const brokerByPid = new Map<string, boolean>();

/**
 * Whether beam.smp `pid` is the broker listening on AMQP_PORT: other Erlang VMs on the machine (the
 * rabbitmqctl CLI, nodes of a local test cluster) are not the broker the case uses. Remembered per pid.
 */
function isBroker(pid: string): boolean {
  let known = brokerByPid.get(pid);
  if (known === undefined) {
    known = false;
    try {
      const listening = new Set<string>();
      for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
        for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
          const f = line.trim().split(/\s+/);
          // State 0A is LISTEN.
          if (f.length > 9 && f[3] === '0A' && Number.parseInt(f[1]!.split(':').at(-1)!, 16) === AMQP_PORT) listening.add(f[9]!);
        }
      }
      known = listening.size === 0 || readdirSync(`/proc/${pid}/fd`).some((fd) => {
        try {
          const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
          return target.startsWith('socket:[') && listening.has(target.slice(8, -1));
        } catch {
          return false;
        }
      });
    } catch {
      // Not readable (another user's process without privileges): counted, as before.
      known = true;
    }
    brokerByPid.set(pid, known);
  }
  return known;
}

/**
 * utime + stime of every process whose command name is `comm`, in µs (null when there is none), and by pid
 * those postgres backends whose title names one of `ports` ("postgres: … 127.0.0.1(54321) idle").
 */
function ticksOf(comms: readonly string[], ports: ReadonlySet<string>): { totals: Map<string, number | null>; backends: Map<string, number>; postgres: Map<string, number>; beam: Map<string, number> } {
  const totals = new Map<string, number | null>(comms.map((c) => [c, null]));
  const backends = new Map<string, number>();
  const postgres = new Map<string, number>();
  const beam = new Map<string, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return { totals, backends, postgres, beam };
  }
  for (const pid of entries) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (!totals.has(comm)) continue;
      // Fields after the parenthesised command name: state is field 3, utime 14 and stime 15.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const us = (Number(fields[11]) + Number(fields[12])) * US_PER_TICK;
      if (comm === 'postgres') postgres.set(pid, us);
      else if (isBroker(pid)) beam.set(pid, us);
      else continue;
      totals.set(comm, (totals.get(comm) ?? 0) + us);
      if (comm === 'postgres' && ports.size > 0) {
        const port = /\((\d+)\)/.exec(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))?.[1];
        if (port !== undefined && ports.has(port)) backends.set(pid, us);
      }
    } catch {
      // The process ended between listing and reading.
    }
  }
  return { totals, backends, postgres, beam };
}

export function cpuSnapshot(): CpuSnapshot {
  const before = process.cpuUsage();
  const { totals, backends, postgres, beam } = ticksOf(['beam.smp', 'postgres'], ownLocalPorts());
  const own = process.cpuUsage();
  return { nodeUserUs: own.user, nodeSystemUs: own.system, nodeUserUsBefore: before.user, nodeSystemUsBefore: before.system, brokerUs: totals.get('beam.smp') ?? null, databaseUs: totals.get('postgres') ?? null, databaseByPidUs: postgres, brokerByPidUs: beam, ownBackendsUs: backends };
}

/** CPU of this process's backends between two snapshots, pid by pid (a connection opened in between counts whole; one closed in between is lost). */
function ownBackendsDelta(from: CpuSnapshot, to: CpuSnapshot): number | undefined {
  if (to.ownBackendsUs.size === 0) return undefined;
  return delta(from.ownBackendsUs, to.ownBackendsUs);
}

/**
 * CPU of the processes in `to` since `from`, pid by pid: a process started in between counts whole, one
 * ended in between is lost — not subtracted, as a plain sum of totals would (other clients' backends
 * come and go on a shared server, and one ending would make the difference negative).
 */
function delta(from: ReadonlyMap<string, number>, to: ReadonlyMap<string, number>): number {
  let us = 0;
  for (const [pid, at] of to) us += at - (from.get(pid) ?? 0);
  return us;
}

/** µs of CPU per message between two snapshots; a party is left out when it was not seen both times. */
export function cpuPerMessage(from: CpuSnapshot, to: CpuSnapshot, messages: number): CpuPerMessage {
  return {
    // One decimal: process.cpuUsage counts µs, so tenths per message are real over thousands of messages.
    nodeUs: Math.round((10 * (to.nodeUserUsBefore + to.nodeSystemUsBefore - from.nodeUserUs - from.nodeSystemUs)) / messages) / 10,
    nodeSystemUs: Math.round((to.nodeSystemUsBefore - from.nodeSystemUs) / messages),
    ...(from.brokerUs !== null && to.brokerUs !== null && { brokerUs: Math.round(delta(from.brokerByPidUs, to.brokerByPidUs) / messages) }),
    ...(from.databaseUs !== null && to.databaseUs !== null && { databaseUs: Math.round(delta(from.databaseByPidUs, to.databaseByPidUs) / messages) }),
    ...(ownBackendsDelta(from, to) !== undefined && { ownDatabaseUs: Math.round(ownBackendsDelta(from, to)! / messages) }),
  };
}
