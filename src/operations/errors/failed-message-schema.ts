import type { Migration } from '../../stores/sql/operations.js';

/**
 * The operations store's tables, in their own namespace (`<prefix>ops_…` on SQLite, schema `<schema>` on
 * PostgreSQL) with their own version table: an operations database is not an endpoint's store.
 * One row per failed message per source queue (a publish fails at each subscriber apart), the envelope
 * kept byte-exact; every operator action in its own table.
 */
export interface OpsSchema {
  readonly messages: string;
  readonly actions: string;
  readonly versionTable: string;
  readonly createVersionTable: readonly string[];
  readonly migrations: readonly Migration[];
}

export function opsSchema(dialect: 'sqlite' | 'postgres', namespace: string): OpsSchema {
  const sqlite = dialect === 'sqlite';
  const n = sqlite ? `${namespace}ops_` : `${namespace}.`;
  const bytes = sqlite ? 'BLOB' : 'bytea';
  const time = sqlite ? 'INTEGER' : 'bigint';
  const messages = `${n}failed_messages`;
  const actions = `${n}failed_message_actions`;
  const versionTable = `${n}schema_version`;
  return {
    messages,
    actions,
    versionTable,
    createVersionTable: [
      ...(sqlite ? [] : [`CREATE SCHEMA IF NOT EXISTS ${namespace}`]),
      `CREATE TABLE IF NOT EXISTS ${versionTable} (version integer PRIMARY KEY, description text NOT NULL)`,
    ],
    migrations: [
      {
        version: 1,
        description: 'failed messages and operator actions',
        statements: [
          `CREATE TABLE ${messages} (
             id text PRIMARY KEY,
             message_id text NOT NULL,
             source_queue text NOT NULL,
             error_queue text NOT NULL,
             message_type text NOT NULL,
             exception_type text NOT NULL,
             failure_message text NOT NULL,
             group_id text NOT NULL,
             group_title text NOT NULL,
             status text NOT NULL,
             times_failed integer NOT NULL,
             raw ${bytes} NOT NULL,
             raw_hash text NOT NULL,
             first_failed_at ${time} NOT NULL,
             last_failed_at ${time} NOT NULL,
             status_by text,
             status_at ${time},
             ignore_retention integer NOT NULL DEFAULT 0,
             UNIQUE (message_id, source_queue))`,
          `CREATE INDEX ${sqlite ? `${n}failed_messages_group` : 'failed_messages_group'} ON ${messages} (group_id, status)`,
          `CREATE INDEX ${sqlite ? `${n}failed_messages_status` : 'failed_messages_status'} ON ${messages} (status, last_failed_at)`,
          `CREATE TABLE ${actions} (
             record_id text NOT NULL,
             action text NOT NULL,
             by_whom text NOT NULL,
             at ${time} NOT NULL)`,
          `CREATE INDEX ${sqlite ? `${n}failed_message_actions_record` : 'failed_message_actions_record'} ON ${actions} (record_id, at)`,
        ],
      },
      {
        version: 2,
        description: 'failed messages: the hashes of their failure lines (attempts counted once across copies)',
        statements: [`ALTER TABLE ${messages} ADD COLUMN failure_hashes text NOT NULL DEFAULT ''`],
      },
    ],
  };
}
