import type { HostProcess } from '../../../src/hosting/index.js';

/** A process for the host under test: signals the test raises, exits it records, lines it keeps. */
export class FakeProcess implements HostProcess {
  readonly exits: number[] = [];
  readonly infos: string[] = [];
  readonly errors: string[] = [];
  private readonly listeners = new Map<string, Set<() => void>>();
  private exited: (code: number) => void = () => undefined;
  /** Resolves with the first exit code. */
  readonly exit_ = new Promise<number>((resolve) => (this.exited = resolve));

  on(signal: NodeJS.Signals, listener: () => void): void {
    if (!this.listeners.has(signal)) this.listeners.set(signal, new Set());
    this.listeners.get(signal)!.add(listener);
  }
  off(signal: NodeJS.Signals, listener: () => void): void {
    this.listeners.get(signal)?.delete(listener);
  }
  exit(code: number): void {
    this.exits.push(code);
    this.exited(code);
  }
  info(line: string): void {
    this.infos.push(line);
  }
  error(line: string): void {
    this.errors.push(line);
  }
  raise(signal: NodeJS.Signals): void {
    for (const l of [...(this.listeners.get(signal) ?? [])]) l();
  }
  listening(signal: NodeJS.Signals): number {
    return this.listeners.get(signal)?.size ?? 0;
  }
}
