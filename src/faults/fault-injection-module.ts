import { ConfigurationError, SimulatedCrash } from '../errors/errors.js';
import type { EndpointServices } from '../modules/endpoint-services.js';
import type { IOncebusModule, PipelineBuilders, PipelineEvents, PipelineName } from '../modules/oncebus-module.js';
import type { IPipelineObserver, PipelineState } from '../pipeline/pipeline.js';
import { DEFERRED_STAGES } from '../pipelines/deferred/deferred-pipeline.js';
import { FLUSH_STAGES } from '../pipelines/flush/flush-pipeline.js';
import { INBOX_STAGES } from '../pipelines/inbox/inbox-pipeline.js';
import { OUTBOX_STAGES } from '../pipelines/outbox/outbox-pipeline.js';
import { OUTGOING_STAGES } from '../pipelines/outgoing/outgoing-pipeline.js';

/**
 * What happens at a fault point: 'throw' a SimulatedCrash (the pipeline rolls back and releases, as a
 * dying process would), or 'kill' the process with SIGKILL (no cleanup at all: the real crash).
 */
export type FaultAction = 'throw' | 'kill';

const STAGES: { readonly [P in PipelineName]: readonly { readonly events: readonly string[] }[] } = {
  inbox: INBOX_STAGES,
  outgoing: OUTGOING_STAGES,
  flush: FLUSH_STAGES,
  deferred: DEFERRED_STAGES,
  outbox: OUTBOX_STAGES,
};

/** A fault point's name in specs and environment variables, e.g. 'inbox:onAfterCommitUnitOfWork'. */
export type FaultPointName = { [P in PipelineName]: `${P}:${PipelineEvents[P]}` }[PipelineName];

export type FaultPoint = {
  [P in PipelineName]: {
    readonly pipeline: P;
    /** The event after whose core observers the fault strikes, e.g. 'onAfterCommitUnitOfWork'. */
    readonly event: PipelineEvents[P];
    readonly action: FaultAction;
    /** Strike on the n-th time the event runs (1 = the first). Default 1. */
    readonly nth?: number;
    /** How many times to strike, from the n-th on. Default 1. */
    readonly times?: number;
  };
}[PipelineName];

/**
 * Named fault points for crash tests and the chaos harness, through the same public hook as any
 * extension: an observer appended to the named event. Not registered = not there = no cost.
 * `FaultInjectionModule.fromSpec('inbox:onAfterCommitUnitOfWork:kill:2')` reads the form used in
 * environment variables (pipeline:event:action[:nth[:times]], several separated by commas); a pipeline or
 * event that does not exist is refused there, before anything runs.
 */
export class FaultInjectionModule implements IOncebusModule {
  constructor(private readonly points: readonly FaultPoint[]) {}

  static fromSpec(spec: string | undefined): FaultInjectionModule | null {
    if (!spec) return null;
    const points = spec.split(',').map((part): FaultPoint => {
      const [pipeline, event, action, nth, times] = part.trim().split(':');
      if (!pipeline || !event || (action !== 'throw' && action !== 'kill')) {
        throw new ConfigurationError('faults', `'${part}' is not pipeline:event:throw|kill[:nth[:times]]`);
      }
      if (!isFaultPointName(`${pipeline}:${event}`)) {
        const known = Object.keys(STAGES).join(', ');
        throw new ConfigurationError('faults', `'${part}' names no event of a pipeline`, { hint: `pipelines: ${known}; events as in their stage lists (INBOX_STAGES, …)` });
      }
      return { pipeline, event, action, nth: nth ? Number(nth) : 1, times: times ? Number(times) : 1 } as FaultPoint;
    });
    return new FaultInjectionModule(points);
  }

  register(pipelines: PipelineBuilders, _services: EndpointServices): void {
    for (const point of this.points) {
      const builder = pipelines[point.pipeline] as unknown as { addObserver(o: IPipelineObserver<PipelineState>): unknown };
      builder.addObserver(new FaultObserver(point));
    }
  }
}

/** Whether `name` is pipeline:event of an existing pipeline and event. */
export function isFaultPointName(name: string): name is FaultPointName {
  const [pipeline = '', event = ''] = name.split(':');
  return Object.hasOwn(STAGES, pipeline) && STAGES[pipeline as PipelineName].some((s) => s.events.includes(event));
}

class FaultObserver implements IPipelineObserver<PipelineState> {
  readonly event: string;
  readonly name: string;
  private seen = 0;
  private struck = 0;

  constructor(private readonly point: FaultPoint) {
    this.event = point.event;
    this.name = `fault@${point.pipeline}.${point.event}`;
  }

  execute(): void {
    this.seen++;
    const { nth = 1, times = 1, action } = this.point;
    if (this.seen < nth || this.struck >= times) return;
    this.struck++;
    if (action === 'kill') process.kill(process.pid, 'SIGKILL');
    throw new SimulatedCrash(`${this.point.pipeline}.${this.point.event}`);
  }
}
