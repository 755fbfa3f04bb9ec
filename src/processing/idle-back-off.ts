import { Sleeper } from './sleeper.js';

/** Sleeps for successive durations (the last repeats) until reset; `interrupt` wakes a sleeper at once (stop). */
export class IdleBackOff {
  private index = 0;
  private readonly sleeper = new Sleeper();

  constructor(private readonly durations: readonly number[]) {}

  sleep(): Promise<void> {
    const ms = this.durations[Math.min(this.index, this.durations.length - 1)] ?? 0;
    this.index++;
    return this.sleeper.sleep(ms);
  }

  reset(): void {
    this.index = 0;
  }

  interrupt(): void {
    this.sleeper.interrupt();
  }
}
