import { createRequire } from 'node:module';
import { DriverMissingError } from '../errors/errors.js';

// Resolved from this file, so from the application's node_modules, where npm puts peer dependencies.
const require = createRequire(import.meta.url);

/**
 * Loads a driver package (pg, better-sqlite3, mssql, amqplib, @azure/service-bus) when the entry that
 * needs it is imported. The drivers are optional peer dependencies: an application installs the ones it
 * uses. A static import of a missing one would fail with a bare ERR_MODULE_NOT_FOUND deep inside oncebus;
 * this names the package to install and the entry that needs it.
 */
export function requireDriver<T>(specifier: string, entry: string): T {
  try {
    return require(specifier) as T;
  } catch (error) {
    const e = error as { code?: string; message?: string };
    // Only the driver itself missing; a driver that fails to load (a native build for another Node) says so.
    if (e.code === 'MODULE_NOT_FOUND' && e.message?.includes(`'${specifier}'`)) throw new DriverMissingError(packageOf(specifier), entry, error);
    throw error;
  }
}

/** 'pg/lib/utils.js' → 'pg'; '@azure/service-bus' stays whole. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}
