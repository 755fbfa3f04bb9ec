import type { Attributes } from '@opentelemetry/api';
import { DataPointType, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';

/** A metric reader the test collects on demand. */
export class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/** One metric's points: each with its attributes and value. */
export function points(metrics: ResourceMetrics, name: string): { attributes: Attributes; value: unknown }[] {
  return metrics.scopeMetrics.flatMap((s) => s.metrics).filter((m) => m.descriptor.name === name).flatMap((m) => m.dataPoints as { attributes: Attributes; value: unknown }[]);
}

/** The sum of a counter's points (or a histogram's counts, or its sums with `of: 'sum'`) whose attributes include `where`. */
export function total(metrics: ResourceMetrics, name: string, where: Attributes = {}, of: 'count' | 'sum' = 'count'): number {
  let sum = 0;
  for (const scope of metrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      for (const point of metric.dataPoints) {
        if (!Object.entries(where).every(([k, v]) => point.attributes[k] === v)) continue;
        sum += metric.dataPointType === DataPointType.HISTOGRAM ? (point.value as { count: number; sum: number })[of] : (point.value as number);
      }
    }
  }
  return sum;
}
