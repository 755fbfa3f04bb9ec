import { type Command, CommanderError, Option } from 'commander';
import { loadEndpointSettings } from '../../config/load-endpoint-options.js';
import { ConfigurationError } from '../../errors/errors.js';
import { maskSecrets } from '../../secrets/mask-secrets.js';
import { isCreateQueue } from '../../transport/queue.js';
import { commentText, grantsSql, migrationSql } from '../migrate/migration-sql.js';
import { type QueueTable, queuesOfSettings, queueTablesOf } from '../migrate/queue-tables.js';
import type { OpenedStore } from '../openers/opened.js';
import { openMigrationStore } from '../openers/registry.js';
import type { CliOutput } from './main.js';

interface MigrateFlags {
  readonly store?: string;
  readonly schema: string;
  readonly tablePrefix?: string;
  readonly settings?: string[];
  readonly queue?: string[];
  readonly print?: boolean;
  readonly all?: boolean;
  readonly printGrants?: string;
}

/**
 * `oncebus migrate`: what a store does at start with `migrate: true` (the default), run apart from the
 * endpoints by a user allowed to change the schema, so that endpoints can run with `migrate: false` and no
 * DDL rights. Or, for a DBA, the SQL of it (`--print`) and the GRANTs the endpoints' role needs.
 */
export function addMigrateCommand(cli: Command, io: CliOutput): void {
  cli
    .command('migrate')
    .description(
      "bring an endpoints' SQL store up to date: apply its pending migrations and create the queue tables of the endpoints named; " +
        'run it as a user allowed to change the schema, then run the endpoints with migrate: false (no DDL rights needed)',
    )
    .addOption(new Option('--store <url>', 'the SQL store: sqlite:<file> (created when missing), postgres://user:password@host/database or mssql://user:password@host/database').env('ONCEBUS_STORE'))
    .addOption(new Option('--schema <name>', 'PostgreSQL or SQL Server schema of the store (created when missing)').env('ONCEBUS_SCHEMA').default('oncebus'))
    .option('--table-prefix <prefix>', "SQLite: the store's table prefix (default oncebus_)")
    .option('--settings <file...>', "endpoints' settings files: create the tables of their queues in this store (inbox, deferred, error, outbox queues and routes)")
    .option('--queue <uri...>', 'queue URIs of this store whose tables to create (e.g. postgres://default/orders)')
    .option('--print', 'print the SQL of the pending migrations and of the missing queue tables instead of applying it')
    .option('--all', 'with --print: every migration and queue table, applied or not, without reading the database')
    .option('--print-grants <role>', 'print the GRANTs that let <role> run endpoints on this store without DDL rights (PostgreSQL, SQL Server); applies nothing')
    .action(async (flags: MigrateFlags) => {
      if (!flags.store) throw new CommanderError(2, 'oncebus.missingStore', 'error: no store given: pass --store sqlite:<file>, postgres://… or mssql://… (or set ONCEBUS_STORE)');
      if (flags.all && !flags.print) throw new CommanderError(2, 'oncebus.allWithoutPrint', 'error: --all goes with --print (migrate itself applies only what is pending)');
      const uris = [...(flags.settings ?? []).flatMap((file) => queuesOfSettings(loadEndpointSettings(file))), ...(flags.queue ?? [])];
      const printOnly = flags.print === true || flags.printGrants !== undefined;
      const opened = await openMigrationStore(flags.store, { schema: flags.schema, tablePrefix: flags.tablePrefix, printOnly });
      try {
        const { tables, others } = queueTablesOf(opened.store, opened.queues, uris);
        for (const uri of others) io.out(`${printOnly ? '-- ' : ''}skipped ${commentText(uri)}: not a queue of this store`);
        if (flags.print) io.out(await printed(opened, tables, flags.all === true));
        if (flags.printGrants !== undefined) {
          const grants = grantsSql(opened.store, opened.where, flags.printGrants);
          if (grants === null) throw new ConfigurationError('--print-grants', `${opened.where} has no roles to grant to`, { hint: "SQLite: give the endpoints' OS user read and write access to the file and its folder (WAL files)" });
          io.out(grants);
        }
        if (!printOnly) await apply(opened, tables, io);
      } finally {
        await opened.close();
      }
    });
}

/** The SQL of what is pending (or, with `all`, of everything: nothing is read from the database). */
async function printed({ store, where }: OpenedStore, tables: readonly QueueTable[], all: boolean): Promise<string> {
  if (all) return migrationSql(store, where, store.dialect.migrations, tables);
  const missing: QueueTable[] = [];
  for (const t of tables) if (!(await store.hasQueueTable(t.statements))) missing.push(t);
  return migrationSql(store, where, await store.pending(), missing);
}

/** Applies the pending migrations, then creates each queue's table (or adds what an older one lacks) and records its name. */
async function apply({ store, queues, where }: OpenedStore, tables: readonly QueueTable[], io: CliOutput): Promise<void> {
  io.out(`migrating ${where}`);
  const { applied, version } = await store.applyMigrations();
  for (const m of applied) io.out(`applied migration ${m.version}: ${m.description}`);
  for (const t of tables) {
    const existed = await store.hasQueueTable(t.statements);
    const queue = queues.create(t.uri);
    try {
      if (isCreateQueue(queue)) await queue.create();
    } finally {
      await queue.close();
    }
    io.out(`queue table ${t.statements.table} (${maskSecrets(t.uri)}): ${existed ? 'present' : 'created'}`);
  }
  io.out(`schema at version ${version}${applied.length === 0 ? ' (no migration pending)' : ''}`);
}
