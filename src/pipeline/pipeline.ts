import { PipelineDefinitionError } from '../errors/errors.js';

/**
 * The pipeline engine. A pipeline is stages → events → observers; it is built once (at bus start) into one
 * flat array of observer functions plus the index where each event starts, so running it for a message
 * allocates nothing but the caller's state object. An observer that returns a promise is awaited; one that
 * returns nothing costs no microtask. Setting `state.aborted` stops the pipeline after the current event.
 * An exception runs the `onPipelineException` observers; if one of them sets `state.exceptionHandled`,
 * execution ends quietly, otherwise the error propagates to the caller. The `onPipelineEnd` observers run
 * last, however execution ended (completed, aborted or failed): they close what an early end left open.
 */
export interface PipelineState {
  aborted: boolean;
  exception: unknown;
  exceptionHandled: boolean;
}

export interface IPipelineObserver<S extends PipelineState> {
  /** The event this observer runs on; must be one of the pipeline's events. */
  readonly event: string;
  /** A name for diagnostics; defaults to the class name. */
  readonly name?: string;
  execute(state: S): void | Promise<void>;
}

export interface StageDefinition {
  readonly name: string;
  readonly events: readonly string[];
}

export const PIPELINE_EXCEPTION_EVENT = 'onPipelineException';
export const PIPELINE_END_EVENT = 'onPipelineEnd';

export type Step<S> = (state: S) => void | Promise<void>;

export class PipelineBuilder<S extends PipelineState> {
  private readonly events = new Map<string, IPipelineObserver<S>[]>();
  private readonly exceptionObservers: IPipelineObserver<S>[] = [];
  private readonly endObservers: IPipelineObserver<S>[] = [];

  constructor(
    readonly name: string,
    private readonly stages: readonly StageDefinition[],
  ) {
    for (const stage of stages) {
      for (const event of stage.events) {
        if (this.events.has(event) || event === PIPELINE_EXCEPTION_EVENT || event === PIPELINE_END_EVENT) {
          throw new PipelineDefinitionError(`pipeline '${name}': event '${event}' appears twice`);
        }
        this.events.set(event, []);
      }
    }
  }

  get eventNames(): string[] {
    return [...this.events.keys()];
  }

  /** Adds an observer after those already on its event. Unknown events and duplicates fail here, not per message. */
  addObserver(observer: IPipelineObserver<S>): this {
    const list =
      observer.event === PIPELINE_EXCEPTION_EVENT
        ? this.exceptionObservers
        : observer.event === PIPELINE_END_EVENT
          ? this.endObservers
          : this.events.get(observer.event);
    if (!list) {
      throw new PipelineDefinitionError(
        `pipeline '${this.name}': observer ${observerName(observer)} names unknown event '${observer.event}' ` +
          `(events: ${this.eventNames.join(', ')})`,
      );
    }
    if (list.includes(observer)) {
      throw new PipelineDefinitionError(`pipeline '${this.name}': observer ${observerName(observer)} added twice`);
    }
    list.push(observer);
    return this;
  }

  build(): Pipeline<S> {
    const steps: Step<S>[] = [];
    const eventEnds: number[] = [];
    for (const stage of this.stages) {
      for (const event of stage.events) {
        for (const o of this.events.get(event) ?? []) steps.push(o.execute.bind(o));
        eventEnds.push(steps.length);
      }
    }
    const bind = (list: IPipelineObserver<S>[]) => list.map((o) => o.execute.bind(o));
    return new Pipeline(this.name, steps, eventEnds, bind(this.exceptionObservers), bind(this.endObservers));
  }
}

export class Pipeline<S extends PipelineState> {
  constructor(
    readonly name: string,
    private readonly steps: readonly Step<S>[],
    /** eventEnds[k] = index one past the last observer of the k-th event: abort is checked there. */
    private readonly eventEnds: readonly number[],
    private readonly onException: readonly Step<S>[],
    private readonly onEnd: readonly Step<S>[],
  ) {}

  // One async function for the observers, the exception observers and the end observers: a second one
  // wrapped around it cost every message another promise and its microtasks.
  async execute(state: S): Promise<void> {
    const { steps, eventEnds } = this;
    let e = 0;
    try {
      for (let i = 0; i < steps.length; i++) {
        const r = steps[i]!(state);
        if (r !== undefined) await r;
        // `<=`: an event without observers ends where the previous one did (or at 0, when it is first).
        while (e < eventEnds.length && eventEnds[e]! <= i + 1) {
          e++;
          if (state.aborted) return;
        }
      }
    } catch (error) {
      state.exception = error;
      for (const step of this.onException) {
        const r = step(state);
        if (r !== undefined) await r;
      }
      if (!state.exceptionHandled) throw error;
    } finally {
      // However execution ended (completed, aborted, failed): they close what an early end left open.
      for (const step of this.onEnd) {
        const r = step(state);
        if (r !== undefined) await r;
      }
    }
  }
}

function observerName(o: IPipelineObserver<never>): string {
  return o.name ?? o.constructor.name;
}
