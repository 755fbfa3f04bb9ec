import type { IIdempotenceService } from '../idempotence/idempotence-service.js';
import type { ILogger } from '../logging/logger.js';
import { selectSagaPersister } from './persistence/select-persister.js';
import type { ISagaPersister } from './saga-persister.js';

export interface SagaPurgeSettings {
  /** Where short units of work outside any message come from: the endpoint's sessions service (plain transactions, even under group commit). */
  readonly units: Pick<IIdempotenceService, 'beginUnitOfWork'>;
  /** The sagas that keep completed instances: name → keepCompletedFor (ms). */
  readonly kept: ReadonlyMap<string, number>;
  readonly persister: ISagaPersister | undefined;
  readonly clock: () => number;
  readonly logger: ILogger;
  readonly intervalMs: number;
  readonly batchSize: number;
}

/**
 * Removes the completed instances sagas keep (`keepCompletedFor`) once they are older than that, on a timer
 * that never blocks message processing: per saga type, batch after batch, each batch a unit of work of its
 * own (a few rows locked for a moment, never a long transaction), until one comes back short. Without it a
 * kept instance went only when a later message for its correlation value came. One pass at a time; a
 * failing pass is logged and tried again at the next tick.
 */
export class SagaPurger {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(private readonly s: SagaPurgeSettings) {}

  start(): void {
    if (this.timer || this.s.kept.size === 0) return;
    this.timer = setInterval(() => {
      this.purgeNow().catch((error: unknown) => this.s.logger.warn('saga purge of kept completed instances failed; tried again at the next tick', { error: String(error) }));
    }, this.s.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One pass over every saga that keeps completed instances; resolves to the instances removed. */
  purgeNow(): Promise<number> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(): Promise<number> {
    let total = 0;
    for (const [sagaType, keepMs] of this.s.kept) {
      const before = this.s.clock() - keepMs;
      for (;;) {
        const n = await this.batch(sagaType, before);
        total += n;
        if (n < this.s.batchSize) break;
        // Let messages through between batches.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    if (total > 0 && this.s.logger.isDebugEnabled()) this.s.logger.debug('saga purge removed kept completed instances', { instances: total });
    return total;
  }

  private async batch(sagaType: string, before: number): Promise<number> {
    const uow = await this.s.units.beginUnitOfWork();
    try {
      const persister = this.s.persister ?? selectSagaPersister(uow, sagaType);
      const n = persister.purgeCompleted ? await persister.purgeCompleted(uow, sagaType, before, this.s.batchSize) : 0;
      await uow.commit();
      return n;
    } catch (error) {
      await uow.rollback().catch(() => undefined);
      throw error;
    }
  }
}
