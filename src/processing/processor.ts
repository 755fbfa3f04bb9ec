/** Something that runs until stopped: a receive loop, the deferred processor, the session sweeper. */
export interface Processor {
  stop(): void;
  readonly done: Promise<void>;
}
