import { requireDriver } from '../../drivers/require-driver.js';

/** @azure/service-bus, loaded when oncebus/azuresb is imported (an optional peer dependency). */
export const azureServiceBus = requireDriver<typeof import('@azure/service-bus')>('@azure/service-bus', 'oncebus/azuresb');
