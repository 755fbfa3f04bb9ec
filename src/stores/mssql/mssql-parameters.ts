import type sql from 'mssql';
import { mssqlDriver } from './mssql-driver.js';

/** The longest NVARCHAR that is not MAX: a key compared with a MAX parameter cannot be sought in an index. */
const NVARCHAR_LIMIT = 4000;

/**
 * The SQL Server type each value is bound as: strings NVARCHAR(4000) (message ids, URIs and types are
 * Unicode, and all fit; longer strings NVARCHAR(MAX)), integers BIGINT (epoch milliseconds overflow INT),
 * bytes VARBINARY(MAX), null as NVARCHAR(4000). Explicit, fixed types, so the driver never guesses, key
 * comparisons can use the index, and one plan serves every call of a statement.
 */
export function mssqlType(value: unknown): { type: sql.ISqlType | (() => sql.ISqlType); value: unknown } {
  if (value === null || value === undefined) return { type: mssqlDriver.NVarChar(NVARCHAR_LIMIT), value: null };
  if (typeof value === 'string') return { type: mssqlDriver.NVarChar(value.length <= NVARCHAR_LIMIT ? NVARCHAR_LIMIT : mssqlDriver.MAX), value };
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new TypeError(`SQL Server parameter: only integers are bound, got ${value}`);
    return { type: mssqlDriver.BigInt, value };
  }
  if (value instanceof Uint8Array) return { type: mssqlDriver.VarBinary(mssqlDriver.MAX), value: Buffer.from(value.buffer, value.byteOffset, value.byteLength) };
  throw new TypeError(`SQL Server parameter: cannot bind a ${typeof value}`);
}

/** Binds values as @p1, @p2, … on a request (the names the statements use). */
export function bindParameters(request: { input(name: string, type: unknown, value: unknown): unknown }, params: readonly unknown[]): void {
  params.forEach((value, i) => {
    const p = mssqlType(value);
    request.input(`p${i + 1}`, p.type, p.value);
  });
}
