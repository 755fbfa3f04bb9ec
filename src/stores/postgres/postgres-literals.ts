import { StoreError } from '../../errors/errors.js';

/**
 * A parameter written as a literal. node-postgres sends one extended-protocol statement per round trip; a
 * simple query of several statements ("COMMIT; BEGIN; EXECUTE …") is the only way to send more in one,
 * and a simple query takes no parameters. Only the value shapes group commit uses are accepted: null,
 * finite numbers, strings, and arrays of those (the prepared statement's parameter types give them their
 * type). Strings in arrays are quoted twice: as array elements, then as a SQL literal.
 */
export function literal(value: unknown): string {
  if (Array.isArray(value)) return quote(`{${value.map(arrayElement).join(',')}}`);
  return scalar(value);
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') return finite(value);
  if (typeof value === 'string') return quote(value);
  throw new StoreError(`cannot write a ${typeof value} parameter as a literal`);
}

function arrayElement(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') return finite(value);
  if (typeof value === 'string') return `"${value.replace(/[\\"]/g, '\\$&')}"`;
  throw new StoreError(`cannot write a ${typeof value} array element as a literal`);
}

function finite(value: number): string {
  if (!Number.isFinite(value)) throw new StoreError(`cannot write ${value} as a literal`);
  // Parenthesised when negative, so "- $1" can never become a comment ("--5").
  return value < 0 ? `(${value})` : String(value);
}

/** A standard string literal; an escape-string literal (E'…') when it holds a backslash. */
function quote(text: string): string {
  if (text.includes('\0')) throw new StoreError('a PostgreSQL string cannot hold a NUL character');
  const body = text.replace(/'/g, "''");
  return body.includes('\\') ? ` E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}
