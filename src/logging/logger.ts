import winston from 'winston';

/**
 * The logger oncebus writes to: winston's shape, so a winston logger can be bound as it is.
 * Per-message lines are at debug and guarded by `isDebugEnabled()` on the hot path.
 */
export interface ILogger {
  debug(message: string, meta?: Record<string, unknown>): unknown;
  info(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
  error(message: string, meta?: Record<string, unknown>): unknown;
  isDebugEnabled(): boolean;
}

/** A winston console logger; level from ONCEBUS_LOG_LEVEL, else 'info'. */
export function createDefaultLogger(level = process.env.ONCEBUS_LOG_LEVEL ?? 'info'): ILogger {
  return winston.createLogger({
    level,
    format: winston.format.combine(winston.format.timestamp(), winston.format.simple()),
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn'] })],
  });
}

/** Discards everything (tests that assert on events rather than log lines). */
export function createSilentLogger(): ILogger {
  return winston.createLogger({ silent: true, transports: [new winston.transports.Console({ silent: true })] });
}
