import type * as api from '@opentelemetry/api';
import { requireDriver } from '../drivers/require-driver.js';

/** @opentelemetry/api, loaded when oncebus/telemetry is imported (an optional peer dependency). */
export const otel = requireDriver<typeof api>('@opentelemetry/api', 'oncebus/telemetry');
