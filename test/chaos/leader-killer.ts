import { clusterNodeName, killNode, queueLeader, restartDownNodes } from '../support/rabbitmq-cluster.js';

/** How long after a kill the effects are watched for the stall at least (and until the node is back). */
const WATCH_MS = 5_000;
/** The dead node is started again this long after the kill: the cluster runs on two nodes meanwhile. */
const DOWN_MS = 2_000;

interface LeaderLoss {
  readonly node: number;
  readonly atPercent: number;
  /** Longest stretch without a new effect from the kill on (ms); NaN when no work was left to do. */
  readonly stallMs: number;
  readonly restartMs: number;
}

/**
 * Kills the node leading a quorum queue `total` times over the run (`due` says when: from 10 % to 80 % of
 * the work), one node down at a time, and starts it again. The stall of each loss is read from the
 * effects: sampled every 100 ms, the longest stretch in which none was added, from the kill on.
 */
export class LeaderKiller {
  private readonly losses: LeaderLoss[] = [];
  private running: Promise<void> | null = null;

  constructor(
    private readonly total: number,
    private readonly queue: string,
    private readonly effects: () => Promise<number>,
    private readonly log: (line: string) => void,
  ) {}

  get kills(): number {
    return this.losses.length;
  }

  /** Leader kills still to come (the chaos loop runs until they are done). */
  get pending(): boolean {
    return this.losses.length < this.total || this.running !== null;
  }

  due(progress: number): boolean {
    if (this.running || this.losses.length >= this.total) return false;
    const at = 0.1 + (0.7 * this.losses.length) / Math.max(this.total - 1, 1);
    return progress >= at;
  }

  kill(percent: number): void {
    this.running = this.loss(percent)
      .catch((error: unknown) => this.log(`chaos: leader kill failed: ${String(error)}`))
      .finally(() => {
        this.running = null;
      });
  }

  async settled(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  summary(): string {
    const stalls = this.losses.map((l) => l.stallMs).filter((ms) => Number.isFinite(ms));
    const sorted = [...stalls].sort((a, b) => a - b);
    const median = sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN;
    const restarts = this.losses.map((l) => l.restartMs);
    return (
      `${this.losses.length} leader kills (${this.losses.map((l) => `c${l.node} at ${l.atPercent} %`).join(', ')}); ` +
      `stall per leader loss (ms): ${this.losses.map((l) => (Number.isFinite(l.stallMs) ? l.stallMs : 'idle')).join(', ')}` +
      `${sorted.length ? `; median ${median}, max ${sorted.at(-1)}` : ''}; node restart ${Math.min(...restarts)}–${Math.max(...restarts)} ms`
    );
  }

  private async loss(percent: number): Promise<void> {
    const node = await queueLeader(this.queue);
    const killAt = Date.now();
    killNode(node);
    this.log(`chaos: SIGKILL of ${clusterNodeName(node)}, the leader of ${this.queue} (${percent} % of the messages handled)`);
    let restartMs = 0;
    let restarted = false;
    const restart = (async () => {
      await new Promise((r) => setTimeout(r, DOWN_MS));
      const started = Date.now();
      await restartDownNodes();
      restartMs = Date.now() - started;
      restarted = true;
    })();
    // The stall: the longest stretch without a new effect, from the kill on.
    let last = await this.effects();
    let lastIncreaseAt = killAt;
    let stall = 0;
    let grew = false;
    while (Date.now() - killAt < WATCH_MS || !restarted) {
      await new Promise((r) => setTimeout(r, 100));
      const now = await this.effects();
      if (now > last) {
        stall = Math.max(stall, Date.now() - lastIncreaseAt);
        lastIncreaseAt = Date.now();
        last = now;
        grew = true;
      }
    }
    await restart;
    const stallMs = grew ? stall : Number.NaN;
    this.losses.push({ node, atPercent: percent, stallMs, restartMs });
    this.log(`chaos: ${clusterNodeName(node)} back after ${restartMs} ms; the work stalled ${grew ? `${stallMs} ms` : '(no work left to stall)'}`);
  }
}
