import type sql from 'mssql';
import { requireDriver } from '../../drivers/require-driver.js';

/** The mssql package, loaded when oncebus/mssql is imported (an optional peer dependency). */
export const mssqlDriver = requireDriver<typeof sql>('mssql', 'oncebus/mssql');
