import type { EndpointServices } from '../../modules/endpoint-services.js';
import type { PipelineState } from '../../pipeline/pipeline.js';

/** Something that runs until stopped: a receive loop or the deferred processor. */
export interface Processor {
  stop(): void;
  readonly done: Promise<void>;
}

/** Shared by the startup and shutdown pipelines of one endpoint. */
export class LifecycleState implements PipelineState {
  aborted = false;
  exception: unknown = undefined;
  exceptionHandled = false;
  readonly processors: Processor[] = [];

  constructor(readonly services: EndpointServices) {}
}
