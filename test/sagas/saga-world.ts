import type { Container } from 'inversify';
import type { EndpointOptions } from '../../src/config/endpoint-options.js';
import { TYPES } from '../../src/di/tokens.js';
import type { HandlerClass } from '../../src/handling/handles-message.js';
import type { ILogger } from '../../src/logging/logger.js';
import { memorySagaRows } from '../../src/sagas/persistence/memory-saga-persister.js';
import { SagaModule } from '../../src/sagas/saga-module.js';
import type { StoredSaga } from '../../src/sagas/saga-persister.js';
import { MemoryWorld } from '../support/memory-endpoint.js';

/** Log lines a test reads back. */
export class RecordingLogger implements ILogger {
  readonly lines: { level: string; message: string; meta: Record<string, unknown> | undefined }[] = [];
  debug(message: string, meta?: Record<string, unknown>): void {
    this.lines.push({ level: 'debug', message, meta });
  }
  info(message: string, meta?: Record<string, unknown>): void {
    this.lines.push({ level: 'info', message, meta });
  }
  warn(message: string, meta?: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', message, meta });
  }
  error(message: string, meta?: Record<string, unknown>): void {
    this.lines.push({ level: 'error', message, meta });
  }
  isDebugEnabled(): boolean {
    return true;
  }
}

/** A memory world whose endpoints run sagas: idempotence on, the SagaModule bound, a recording logger. */
export class SagaWorld extends MemoryWorld {
  readonly logger = new RecordingLogger();

  sagaEndpoint(name: string, handlers: readonly HandlerClass[], options: Partial<EndpointOptions> = {}, configure?: (c: Container) => void) {
    return this.endpoint(name, { idempotence: true, handlers: [...handlers], ...options }, [new SagaModule()], (c) => {
      c.rebind(TYPES.Logger).toConstantValue(this.logger);
      configure?.(c);
    });
  }

  /** The committed rows of one saga type. */
  rows(sagaType: string): StoredSaga[] {
    return memorySagaRows(this.idempotence.storeId).filter((r) => r.sagaType === sagaType);
  }
}
