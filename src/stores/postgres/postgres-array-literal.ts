import { requireDriver } from '../../drivers/require-driver.js';

/** node-postgres's own serializer, for the values this file does not write itself (dates, objects). */
const pgUtils = requireDriver<{ prepareValue(value: unknown): unknown }>('pg/lib/utils.js', 'oncebus/postgres');

const NEEDS_ESCAPE = /["\\]/;

/**
 * A JS array as a PostgreSQL array literal, written as node-postgres writes it (every element quoted,
 * NULL for null, bytea as `\\x…`, nested arrays nested) — the same text, so the server reads the same
 * value — but cheaper: node-postgres runs two regular-expression replaces on every element, where most
 * elements (ids, numbers, type names) hold no quote or backslash and need none. The claim, completion and
 * delete statements send arrays of tens to hundreds of elements per batch.
 */
export function postgresArrayLiteral(values: readonly unknown[]): string {
  // The usual array (ids, type names, times, no element holding a quote or backslash): joined in one
  // string instead of a piece per element — the same text, less garbage per batch.
  if (values.length > 0 && plainScalars(values)) return `{"${values.join('","')}"}`;
  let literal = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) literal += ',';
    const item = values[i];
    if (item === null || item === undefined) literal += 'NULL';
    else if (typeof item === 'string') literal += quoted(item);
    else if (typeof item === 'number' || typeof item === 'bigint' || typeof item === 'boolean') literal += `"${String(item)}"`;
    else if (Array.isArray(item)) literal += postgresArrayLiteral(item);
    else if (ArrayBuffer.isView(item)) literal += `\\\\x${Buffer.from(item.buffer, item.byteOffset, item.byteLength).toString('hex')}`;
    else literal += quoted(String(pgUtils.prepareValue(item)));
  }
  return `${literal}}`;
}

/**
 * Every element a string needing no escape, a number, a bigint or a boolean: join writes each as String
 * does (a null would become '', an object its toString).
 */
function plainScalars(values: readonly unknown[]): boolean {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    const type = typeof value;
    if (type === 'string') {
      if (NEEDS_ESCAPE.test(value as string)) return false;
    } else if (type !== 'number' && type !== 'bigint' && type !== 'boolean') return false;
  }
  return true;
}

function quoted(text: string): string {
  return NEEDS_ESCAPE.test(text) ? `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : `"${text}"`;
}

/** A parameter as node-postgres would send it, arrays written by postgresArrayLiteral. */
export function postgresParameter(value: unknown): unknown {
  return Array.isArray(value) ? postgresArrayLiteral(value) : pgUtils.prepareValue(value);
}

/** The parameters with their arrays written as literals (the same array when none is one). */
export function withArrayLiterals(params: readonly unknown[]): readonly unknown[] {
  for (let i = 0; i < params.length; i++) {
    if (Array.isArray(params[i])) return params.map((v) => (Array.isArray(v) ? postgresArrayLiteral(v) : v));
  }
  return params;
}
