import { PipelineDefinitionError } from '../errors/errors.js';

/**
 * The pipeline engine. A pipeline is stages → events → steps; it is built once (at bus start) into one flat
 * array of steps, so running it for a message allocates nothing but the caller's state object. Two kinds of
 * step, one mechanism:
 * - an observer runs on its event; one that returns a promise is awaited, one that returns nothing costs
 *   no microtask;
 * - an around step wraps events in the style of koa-compose, `(state, next) => …`: setup, `await next()`,
 *   teardown (a span, a timer, a saga's load and save are a try/finally around next). It wraps its event
 *   through `through`, or — without `through` — the rest of the execution: every later event and, when one
 *   of them fails, the exception observers and the end observers too, so what they do and log happens in
 *   its context. An event's around steps wrap its observers; several on one event nest in registration order.
 * Setting `state.aborted` stops the pipeline after the current event. An exception runs the
 * `onPipelineException` observers; if one sets `state.exceptionHandled`, execution ends quietly, otherwise
 * the error propagates to the caller. The `onPipelineEnd` observers run last, however execution ended
 * (completed, aborted or failed): they close what an early end left open.
 */
export interface PipelineState {
  aborted: boolean;
  exception: unknown;
  exceptionHandled: boolean;
}

export const PIPELINE_EXCEPTION_EVENT = 'onPipelineException';
export const PIPELINE_END_EVENT = 'onPipelineEnd';
export type PipelineEndEvent = typeof PIPELINE_EXCEPTION_EVENT | typeof PIPELINE_END_EVENT;

export interface StageDefinition<E extends string = string> {
  readonly name: string;
  readonly events: readonly E[];
}

/** The event names of stage definitions declared `as const`. */
export type EventOf<Stages extends readonly StageDefinition[]> = Stages[number]['events'][number];

/**
 * What the steps of each event see: the pipeline's state type, narrowed where an earlier stage guarantees
 * a field (the inbox pipeline's envelope, from the event after it is read). One entry per event, and one
 * for each of the two end events (the state as it may be at any point).
 */
export type StateMap = { readonly [event: string]: PipelineState };

/** A state map in which every event sees the same state. */
export type UniformStates<E extends string, S extends PipelineState> = { readonly [K in E | PipelineEndEvent]: S };

// `execute` and `run` are properties, not methods, so an observer that needs a narrower state than its
// event guarantees does not compile (methods' parameters are checked bivariantly).
export interface IPipelineObserver<S extends PipelineState, E extends string = string> {
  /** The event this observer runs on; must be one of the pipeline's events. */
  readonly event: E;
  /** A name for diagnostics; defaults to the class name. */
  readonly name?: string;
  readonly execute: (state: S) => void | Promise<void>;
}

export interface IAroundStep<S extends PipelineState, E extends string = string, T extends string = string> {
  /** The first event it wraps. */
  readonly around: E;
  /** The last event it wraps. Absent: the rest of the execution, its failure handling and end observers included. */
  readonly through?: T;
  readonly name?: string;
  /**
   * Calls `next()` once to run what it wraps; resolving without calling it ends the message's execution
   * there. Returning nothing (undefined, no promise) without calling it declines: what it would have wrapped
   * runs as if the step were not there, at no cost (a span that records nothing, say).
   */
  readonly run: (state: S, next: () => Promise<void>) => Promise<void> | undefined;
}

export type Step<S> = (state: S) => void | Promise<void>;

/** A compiled around step: its steps are [index + 1, end); REST = to the end, with failure handling. */
interface Around<S> {
  readonly run: (state: S, next: () => Promise<void>) => Promise<void> | undefined;
  readonly end: number;
}
const REST = -1;

/** Whether an around step without `through` called next(): from then on the rest of the execution is its. */
interface Handoff {
  called: boolean;
}

type Events<M extends StateMap> = Exclude<keyof M & string, PipelineEndEvent>;

export class PipelineBuilder<M extends StateMap> {
  private readonly events = new Map<string, IPipelineObserver<never>[]>();
  private readonly arounds = new Map<string, IAroundStep<never>[]>();
  private readonly exceptionObservers: IPipelineObserver<never>[] = [];
  private readonly endObservers: IPipelineObserver<never>[] = [];

  constructor(
    readonly name: string,
    stages: readonly StageDefinition<Events<M>>[],
  ) {
    for (const stage of stages) {
      for (const event of stage.events) {
        if (this.events.has(event) || event === PIPELINE_EXCEPTION_EVENT || event === PIPELINE_END_EVENT) {
          throw new PipelineDefinitionError(`pipeline '${name}': event '${event}' appears twice`);
        }
        this.events.set(event, []);
        this.arounds.set(event, []);
      }
    }
  }

  get eventNames(): string[] {
    return [...this.events.keys()];
  }

  /** Adds an observer after those already on its event. Unknown events and duplicates fail here, not per message. */
  addObserver<E extends keyof M & string>(observer: IPipelineObserver<M[E], E>): this {
    const o = observer as IPipelineObserver<never>;
    const list = o.event === PIPELINE_EXCEPTION_EVENT ? this.exceptionObservers : o.event === PIPELINE_END_EVENT ? this.endObservers : this.events.get(o.event);
    if (!list) throw this.unknown(`observer ${nameOf(o)}`, o.event);
    if (list.includes(o)) throw new PipelineDefinitionError(`pipeline '${this.name}': observer ${nameOf(o)} added twice`);
    list.push(o);
    return this;
  }

  /** Adds an around step inside those already on its event. Its shape is checked here and at build. */
  addAroundStep<E extends Events<M>>(step: IAroundStep<M[E], E, Events<M>>): this {
    const s = step as IAroundStep<never>;
    const list = this.arounds.get(s.around);
    if (!list) throw this.unknown(`around step ${nameOf(s)}`, s.around);
    if (s.through !== undefined && !this.events.has(s.through)) throw this.unknown(`around step ${nameOf(s)}`, s.through);
    if (list.includes(s)) throw new PipelineDefinitionError(`pipeline '${this.name}': around step ${nameOf(s)} added twice`);
    list.push(s);
    return this;
  }

  build(): Pipeline<M[typeof PIPELINE_END_EVENT]> {
    const steps: Step<M[typeof PIPELINE_END_EVENT]>[] = [];
    const arounds: (Around<M[typeof PIPELINE_END_EVENT]> | undefined)[] = [];
    const lastOfEvent: boolean[] = [];
    const order = this.eventNames;
    const eventEnd = new Map<string, number>();
    const placed: { step: IAroundStep<never>; index: number; from: number; to: number }[] = [];
    for (const [position, event] of order.entries()) {
      for (const a of this.arounds.get(event)!) {
        const to = a.through === undefined ? order.length : order.indexOf(a.through);
        if (to < position) throw new PipelineDefinitionError(`pipeline '${this.name}': around step ${nameOf(a)} ends at '${a.through}', before its event '${event}'`);
        placed.push({ step: a, index: steps.length, from: position, to });
        steps.push(noStep);
        arounds.push(undefined); // filled below, once every event's end is known
        lastOfEvent.push(false);
      }
      for (const o of this.events.get(event)!) {
        steps.push(o.execute.bind(o) as Step<M[typeof PIPELINE_END_EVENT]>);
        arounds.push(undefined);
        lastOfEvent.push(false);
      }
      if (steps.length > 0 && (this.arounds.get(event)!.length > 0 || this.events.get(event)!.length > 0)) lastOfEvent[steps.length - 1] = true;
      eventEnd.set(event, steps.length);
    }
    for (const p of placed) {
      this.checkNesting(p, placed);
      const end = p.step.through === undefined ? REST : eventEnd.get(p.step.through)!;
      arounds[p.index] = { run: p.step.run.bind(p.step) as Around<M[typeof PIPELINE_END_EVENT]>['run'], end };
    }
    const bind = (list: IPipelineObserver<never>[]) => list.map((o) => o.execute.bind(o) as Step<M[typeof PIPELINE_END_EVENT]>);
    return new Pipeline(this.name, steps, arounds, lastOfEvent, bind(this.exceptionObservers), bind(this.endObservers));
  }

  /** Around steps nest like brackets: one that starts inside another's events ends inside them too. */
  private checkNesting(p: { step: IAroundStep<never>; index: number; from: number; to: number }, all: typeof p[]): void {
    for (const outer of all) {
      if (outer === p || outer.index > p.index || outer.to < p.from) continue;
      const rest = p.step.through === undefined;
      if (outer.step.through !== undefined && (rest || p.to > outer.to)) {
        throw new PipelineDefinitionError(
          `pipeline '${this.name}': around step ${nameOf(p.step)} reaches past the end of ${nameOf(outer.step)}, which it starts inside; ` +
            'register the step that wraps more first, or give the inner one an earlier `through`',
        );
      }
    }
  }

  private unknown(what: string, event: string): PipelineDefinitionError {
    return new PipelineDefinitionError(`pipeline '${this.name}': ${what} names unknown event '${event}' (events: ${this.eventNames.join(', ')})`);
  }
}

export class Pipeline<S extends PipelineState> {
  /** @internal Built by PipelineBuilder.build(). */
  constructor(
    readonly name: string,
    private readonly steps: readonly Step<S>[],
    /** At the index of an around step, its compiled form; undefined at an observer. */
    private readonly arounds: readonly (Around<S> | undefined)[],
    /** True at the last step of an event: abort is checked there. */
    private readonly lastOfEvent: readonly boolean[],
    private readonly onException: readonly Step<S>[],
    private readonly onEnd: readonly Step<S>[],
  ) {}

  execute(state: S): Promise<void> {
    return this.rest(state, 0);
  }

  /**
   * Runs the steps from `from` to the end, then the failure and end observers. One async function for all
   * three: a second one wrapped around it cost every message another promise and its microtasks. An around
   * step without `through` takes the remainder over (its next() is this function from the next step), and
   * this level then neither handles its failures nor runs the end observers a second time.
   */
  private async rest(state: S, from: number): Promise<void> {
    const { steps, arounds, lastOfEvent } = this;
    // No closure in here (one would make every call allocate a context for the loop's variables): the
    // hand-over's next() is made by handOver(), and `handoff` exists only once a step without `through` runs.
    let handoff: Handoff | null = null;
    try {
      for (let i = from; i < steps.length; i++) {
        const around = arounds[i];
        if (around === undefined) {
          const r = steps[i]!(state);
          if (r !== undefined) await r;
        } else if (around.end === REST) {
          handoff = { called: false };
          const wrapped = this.handOver(state, around, i + 1, handoff);
          if (wrapped === undefined) {
            handoff = null; // the step declined: go on here
            continue;
          }
          await wrapped;
          return; // without next(), the step ended the execution: the end observers close it
        } else {
          const wrapped = this.wrapRange(state, around, i + 1);
          if (wrapped === undefined) continue; // declined: its range runs here, step by step
          await wrapped;
          i = around.end - 1;
          if (state.aborted) return;
          continue;
        }
        if (lastOfEvent[i] && state.aborted) return;
      }
    } catch (error) {
      if (handoff?.called) throw error; // the remainder handled its own failure; this one is the around step's
      state.exception = error;
      for (const step of this.onException) {
        const r = step(state);
        if (r !== undefined) await r;
      }
      if (!state.exceptionHandled) throw error;
    } finally {
      if (!handoff?.called) {
        for (const step of this.onEnd) {
          const r = step(state);
          if (r !== undefined) await r;
        }
      }
    }
  }

  /**
   * Runs an around step without `through`: its next() runs the rest of the execution from `from`, once.
   * Undefined when the step declined (returned nothing without calling next()).
   */
  private handOver(state: S, around: Around<S>, from: number, handoff: Handoff): Promise<void> | undefined {
    let remainder: Promise<void> | undefined;
    const wrapped = around.run(state, () => {
      if (handoff.called) return Promise.reject(new PipelineDefinitionError(`pipeline '${this.name}': an around step called next() twice`));
      handoff.called = true;
      return (remainder = this.rest(state, from));
    });
    // Returning nothing after calling next() still leaves the remainder to await.
    return wrapped ?? remainder;
  }

  /** Runs the steps [from, to): observers and the around steps among them; stops at an event's end when aborted. */
  private async range(state: S, from: number, to: number): Promise<void> {
    const { steps, arounds, lastOfEvent } = this;
    for (let i = from; i < to; i++) {
      const around = arounds[i];
      if (around !== undefined) {
        const wrapped = this.wrapRange(state, around, i + 1);
        if (wrapped === undefined) continue; // declined: its range runs here, step by step
        await wrapped;
        i = around.end - 1;
        if (state.aborted) return;
        continue;
      }
      const r = steps[i]!(state);
      if (r !== undefined) await r;
      if (lastOfEvent[i] && state.aborted) return;
    }
  }

  /**
   * Runs an around step with `through`: its next() runs its range [from, end) once (a second call is a bug
   * in the step). Undefined when the step declined (returned nothing without calling next()).
   */
  private wrapRange(state: S, around: Around<S>, from: number): Promise<void> | undefined {
    let range: Promise<void> | undefined;
    const wrapped = around.run(state, () => {
      if (range !== undefined) return Promise.reject(new PipelineDefinitionError(`pipeline '${this.name}': an around step called next() twice`));
      range = this.range(state, from, around.end);
      return range;
    });
    return wrapped ?? range;
  }
}

const noStep = (): void => undefined;

function nameOf(o: { readonly name?: string }): string {
  return o.name ?? o.constructor.name;
}
