import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { promisify } from 'node:util';
import amqp from 'amqplib';

/**
 * The local three-node cluster `scripts/services.sh start rabbitmq-cluster` runs beside the single broker:
 * node n is `oncebus-c<n>@<host>`, AMQP port 5700+n, its files under /var/lib/rabbitmq/cluster/c<n>.
 * RABBITMQ_CLUSTER_HOSTS points elsewhere (then the kill tests skip: they need the local pid files).
 */
export const CLUSTER_HOSTS = (process.env.RABBITMQ_CLUSTER_HOSTS ?? '127.0.0.1:5701,127.0.0.1:5702,127.0.0.1:5703').split(',');
const LOCAL = process.env.RABBITMQ_CLUSTER_HOSTS === undefined;
const CLUSTER_BASE = '/var/lib/rabbitmq/cluster';
const run = promisify(execFile);

export const clusterNodeName = (n: number): string => `oncebus-c${n}@${hostname().split('.')[0]}`;
const nodeOfName = (name: string): number => Number(/^oncebus-c(\d+)@/.exec(name)?.[1] ?? 0);

/**
 * rabbitmq://guest:guest@<the cluster's hosts, starting at node `first`>/<queue>?queueType=quorum[&query]:
 * workers given different `first` nodes spread their connections over the cluster.
 */
export function clusterUri(queue: string, query = '', first = 1): string {
  const hosts = [...CLUSTER_HOSTS.slice(first - 1), ...CLUSTER_HOSTS.slice(0, first - 1)].join(',');
  return `rabbitmq://guest:guest@${hosts}/${queue}?queueType=quorum${query ? `&${query}` : ''}`;
}

/** Every node answers AMQP. */
export async function clusterAvailable(): Promise<boolean> {
  for (const host of CLUSTER_HOSTS) {
    try {
      const c = await amqp.connect(`amqp://guest:guest@${host}`);
      await c.close();
    } catch {
      return false;
    }
  }
  return true;
}

/** Whether this process can kill and restart the local cluster's nodes (root, the pid files). */
export function canControlCluster(): boolean {
  if (!LOCAL || process.getuid?.() !== 0) return false;
  try {
    readFileSync(`${CLUSTER_BASE}/c1/pid`);
    return true;
  } catch {
    return false;
  }
}

/** rabbitmqctl against one node of the cluster (an Erlang VM of its own: ~0.7 s). */
export async function clusterCtl(node: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('rabbitmqctl', ['-q', '-n', clusterNodeName(node), ...args]);
  return stdout;
}

/** The node (1..3) whose member of the quorum queue is the leader now, asked of a node that is up. */
export async function queueLeader(queue: string, askNodes: readonly number[] = [1, 2, 3]): Promise<number> {
  for (const node of askNodes) {
    try {
      const rows = JSON.parse(await clusterCtl(node, 'list_queues', 'name', 'leader', '--formatter', 'json')) as { name: string; leader: string }[];
      const row = rows.find((r) => r.name === queue);
      if (row) return nodeOfName(row.leader);
    } catch {
      // that node is down: ask the next
    }
  }
  throw new Error(`no node knows the leader of '${queue}'`);
}

/** SIGKILL of the node's Erlang VM: no clean shutdown, no goodbye to clients or peers. */
export function killNode(node: number): void {
  const pid = Number(readFileSync(`${CLUSTER_BASE}/c${node}/pid`, 'utf8').trim());
  process.kill(pid, 'SIGKILL');
}

/** Starts the nodes that are down (services.sh is idempotent); resolves when their AMQP port answers. */
export async function restartDownNodes(): Promise<void> {
  await run('bash', [new URL('../../../scripts/services.sh', import.meta.url).pathname, 'start', 'rabbitmq-cluster'], { timeout: 120_000 });
}

/** Deletes queues on the cluster through a raw connection to the first node that answers (test cleanup). */
export async function deleteClusterQueues(names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  for (const host of CLUSTER_HOSTS) {
    let c: amqp.ChannelModel | undefined;
    try {
      c = await amqp.connect(`amqp://guest:guest@${host}`);
    } catch {
      continue;
    }
    try {
      for (const n of names) {
        const ch = await c.createChannel();
        ch.on('error', () => undefined);
        await ch.deleteQueue(n).catch(() => undefined);
        await ch.close().catch(() => undefined);
      }
    } finally {
      await c.close().catch(() => undefined);
    }
    return;
  }
}
