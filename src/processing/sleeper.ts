/** An interruptible sleep: `interrupt` (called by stop) wakes the current sleeper at once. */
export class Sleeper {
  private wake: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;

  sleep(ms: number): Promise<void> {
    this.interrupt();
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(() => this.interrupt(), ms);
    });
  }

  interrupt(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
