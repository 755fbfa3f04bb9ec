/**
 * What a host needs of its process: the signals it stops on, a way to exit, and where its few lines go.
 * Injectable so tests raise signals and see exit codes without ending the test process.
 */
export interface HostProcess {
  on(signal: NodeJS.Signals, listener: () => void): void;
  off(signal: NodeJS.Signals, listener: () => void): void;
  exit(code: number): void;
  /** A line for the operator (stopping, stopped). */
  info(line: string): void;
  /** A line about a failure (the error that stopped a start), already masked. */
  error(line: string): void;
}

/** The real process: its signals, process.exit, stdout and stderr. */
export const nodeProcess: HostProcess = {
  on: (signal, listener) => void process.on(signal, listener),
  off: (signal, listener) => void process.off(signal, listener),
  exit: (code) => process.exit(code),
  info: (line) => void process.stdout.write(`${line}\n`),
  error: (line) => void process.stderr.write(`${line}\n`),
};
