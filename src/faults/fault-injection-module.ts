import type { EndpointServices } from '../modules/endpoint-services.js';
import type { IOncebusModule, PipelineBuilders } from '../modules/oncebus-module.js';
import { ConfigurationError, SimulatedCrash } from '../errors/errors.js';
import type { IPipelineObserver, PipelineState } from '../pipeline/pipeline.js';

/**
 * What happens at a fault point: 'throw' a SimulatedCrash (the pipeline rolls back and releases, as a
 * dying process would), or 'kill' the process with SIGKILL (no cleanup at all: the real crash).
 */
export type FaultAction = 'throw' | 'kill';

export interface FaultPoint {
  readonly pipeline: keyof PipelineBuilders;
  /** The event after whose core observers the fault strikes, e.g. 'onAfterCommitUnitOfWork'. */
  readonly event: string;
  readonly action: FaultAction;
  /** Strike on the n-th time the event runs (1 = the first). Default 1. */
  readonly nth?: number;
  /** How many times to strike, from the n-th on. Default 1. */
  readonly times?: number;
}

/**
 * Named fault points for crash tests and the chaos harness, through the same public hook as any
 * extension: an observer appended to the named event. Not registered = not there = no cost.
 * `FaultInjectionModule.fromSpec('inbox:onAfterCommitUnitOfWork:kill:2')` reads the form used in
 * environment variables (pipeline:event:action[:nth[:times]], several separated by commas).
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
      return { pipeline: pipeline as keyof PipelineBuilders, event, action, nth: nth ? Number(nth) : 1, times: times ? Number(times) : 1 };
    });
    return new FaultInjectionModule(points);
  }

  register(pipelines: PipelineBuilders, _services: EndpointServices): void {
    for (const point of this.points) {
      const builder = pipelines[point.pipeline] as unknown as { addObserver(o: IPipelineObserver<PipelineState>): unknown } | undefined;
      if (!builder) throw new ConfigurationError('faults', `unknown pipeline '${String(point.pipeline)}'`);
      builder.addObserver(new FaultObserver(point));
    }
  }
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
