import { messageType } from '../../src/messages/message-type.js';

/** Work for the fairness scenario: `hangMs` > 0 makes its handler hang that long (past handlerTimeout). */
@messageType('fairness.Work')
export class FairnessWork {
  constructor(
    public n = 0,
    public hangMs = 0,
  ) {}
}

export interface FairnessChildConfig {
  readonly role: 'a' | 'b';
  readonly file: string;
  readonly queue: string;
  readonly threads: number;
  readonly groupCommit: boolean;
  readonly handlerTimeoutMs: number;
  /** Times a plain write every 20 ms. */
  readonly probe?: boolean;
}

export interface FairnessReport {
  readonly role: 'a' | 'b';
  /** When each message that did not hang was handled (ms since the epoch). */
  readonly handledAt: number[];
  /** When each handler that hangs began (ms since the epoch): A's turns on the write lock with one. */
  readonly hungAt: number[];
  /** When the endpoint had started (ms since the epoch). */
  readonly readyAt: number;
  /** How long each probe write took to commit (ms). */
  readonly probeWaits: number[];
  /** The process's CPU time (user + system, µs). */
  readonly cpuUs: number;
}
