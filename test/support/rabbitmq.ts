import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import amqp from 'amqplib';

export const RABBITMQ_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** rabbitmq://guest:guest@host:port/<queue>[?query] for the broker at RABBITMQ_URL. */
export function rabbitUri(queue: string, query = ''): string {
  const u = new URL(RABBITMQ_URL);
  return `rabbitmq://${u.username}:${u.password}@${u.host}/${queue}${query ? `?${query}` : ''}`;
}

export async function rabbitAvailable(): Promise<boolean> {
  try {
    const c = await amqp.connect(RABBITMQ_URL);
    await c.close();
    return true;
  } catch {
    return false;
  }
}

/** Whether this process can restart the local broker (rabbitmqctl, as root). */
export function canControlRabbit(): boolean {
  if (!/@(127\.0\.0\.1|localhost)[:/]?/.test(RABBITMQ_URL)) return false;
  try {
    execFileSync('rabbitmqctl', ['-q', 'status'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const run = promisify(execFile);

/**
 * rabbitmqctl, without blocking the event loop: an endpoint under test keeps running (and notices the
 * outage as it happens) while the broker stops or starts.
 */
export async function rabbitctl(...args: string[]): Promise<void> {
  await run('rabbitmqctl', ['-q', ...args]);
}

/** Deletes queues through a raw connection (test cleanup). */
export async function deleteQueues(names: string[]): Promise<void> {
  if (names.length === 0) return;
  const c = await amqp.connect(RABBITMQ_URL);
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
}
