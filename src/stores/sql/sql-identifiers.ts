import { ConfigurationError } from '../../errors/errors.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Schema names, table prefixes and queue names end up in statement text (they cannot be parameters),
 * so only plain identifiers pass: letters, digits and '_', at most 63 characters (PostgreSQL's limit).
 */
export function sqlIdentifier(value: string, setting: string): string {
  if (!IDENTIFIER.test(value)) {
    throw new ConfigurationError(setting, `'${value}' is not a valid SQL identifier (letters, digits, '_'; at most 63)`);
  }
  return value;
}

/**
 * A queue name from a URI turned into a table-name suffix: '-' and '.' become '_', and letters lower case
 * (the databases do not tell unquoted identifiers apart by case either: one name per table, see queue_names).
 */
export function queueTableName(queue: string, setting: string): string {
  return sqlIdentifier(`q_${queue.replace(/[-.]/g, '_').toLowerCase()}`, setting);
}
