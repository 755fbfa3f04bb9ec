// `npx oncebus …`: operations on the stores and queues your endpoints use. Exit codes: 0 done, 1 a
// failure (a store unreachable), 2 a usage error, 3 a check that found something (rows stuck, a message
// unknown) — so a monitor can call it.
import { Command, CommanderError } from 'commander';
import { OncebusError } from '../../errors/errors.js';
import { parseDuration } from '../../config/duration.js';
import { idempotenceRowsOf, idempotenceStats } from '../idempotence-report.js';
import { loadEndpointSettings } from '../../config/load-endpoint-options.js';
import { openStore, openTransportsOf } from '../openers/registry.js';
import { queueDepths, queuesOf } from '../queue-depths.js';
import { addDashboardCommand } from './dashboard-command.js';
import { addErrorCommands } from './errors-commands.js';
import { addHttpKeyCommands } from './http-keys-commands.js';
import { type StoreFlags, storeOptions, withStore } from './store-flags.js';
import { addMigrateCommand } from './migrate-command.js';
import { addSagaCommands } from './sagas-commands.js';
import { addSubscriptionCommands } from './subscriptions-commands.js';
import { rowsText, statsText, table } from './format.js';
import { maskSecrets } from '../../secrets/mask-secrets.js';
import { terminalText } from './terminal-text.js';

/** Thrown by a command whose check found something: exit code 3. */
class CheckFailed extends Error {}

/** Thrown by a command that could not do all of its work (a queue not counted): exit code 1. */
class OncebusFailure extends Error {}

/** Where the CLI writes: stdout and stderr, or a test's buffers. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

const STD: CliOutput = { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`) };

/** Writes with every control character a message may carry escaped (see terminalText), on every command. */
const terminalSafe = (io: CliOutput): CliOutput => ({ out: (t) => io.out(terminalText(t)), err: (t) => io.err(terminalText(t)) });

export function program(output: CliOutput = STD): Command {
  const io = terminalSafe(output);
  const out = io.out;
  const cli = new Command('oncebus')
    .description('operate oncebus endpoints: failed messages, their idempotence stores, their queues, their schemas, their subscriptions, their sagas, their HTTP Idempotency-Keys')
    .exitOverride()
    // Commander's own help and errors go where ours do (subcommands inherit it).
    .configureOutput({ writeOut: (t) => io.out(t.trimEnd()), writeErr: (t) => io.err(t.trimEnd()) });
  const idempotence = cli.command('idempotence').description("look inside an idempotence store: what is owed, stuck or waiting for the purge");

  storeOptions(idempotence.command('stats'))
    .description('rows per endpoint by status, stored sends still owed, the oldest handled row (a stuck flush) and the retention backlog')
    .option('--stuck-after <duration>', "exit 3 when a 'handled' row is older than this (e.g. 5m): its sends are stuck")
    .action(async (flags: StoreFlags & { stuckAfter?: string }) => {
      const now = Date.now();
      const stuckAfter = flags.stuckAfter === undefined ? undefined : parseDuration(flags.stuckAfter, '--stuck-after');
      await withStore(flags, async ({ store, where }) => {
        const stats = await idempotenceStats(store, now);
        out(flags.json ? JSON.stringify({ store: where, at: new Date(now).toISOString(), endpoints: stats }, null, 2) : statsText(where, stats, now));
        const stuck = stats.filter((e) => stuckAfter !== undefined && e.oldestHandledAt !== null && now - e.oldestHandledAt > stuckAfter);
        if (stuck.length > 0) throw new CheckFailed(`stuck: ${stuck.map((e) => e.endpoint).join(', ')} owe sends older than ${flags.stuckAfter}`);
      });
    });

  storeOptions(idempotence.command('show'))
    .description("a message's rows (one per endpoint that saw it): status, times, flush lease and the sends it still owes")
    .argument('<messageId>')
    .action(async (messageId: string, flags: StoreFlags) => {
      await withStore(flags, async ({ store }) => {
        const rows = await idempotenceRowsOf(store, messageId);
        if (rows.length === 0) throw new CheckFailed(`no idempotence row for message ${messageId}`);
        out(flags.json ? JSON.stringify({ messageId, rows }, null, 2) : rowsText(messageId, rows, Date.now()));
      });
    });
  const queues = cli
    .command('queues')
    .description("how many messages wait in queues: those named, and/or an endpoint's (from its settings file)")
    .argument('[uris...]', 'queue URIs (sqlite://, postgres:// with --store; rabbitmq://user:password@host/queue; azuresb://<name>/queue with ONCEBUS_AZURESB_<NAME>)')
    .option('--config <file>', "an endpoint's settings file (config/*.json): its inbox, deferred, error and outbox queues");
  storeOptions(queues).action(async (uris: string[], flags: StoreFlags & { config?: string }) => {
    const all = [...(flags.config ? queuesOf(loadEndpointSettings(flags.config)) : []), ...uris];
    if (all.length === 0) throw new CommanderError(2, 'oncebus.noQueues', 'error: no queue given: name queue URIs, or an endpoint with --config <file>');
    const opened = flags.store ? await openStore(flags.store, { schema: flags.schema }) : null;
    // A broker's queue is counted from its own URI (with the user it names); SQL queues through --store.
    const own = await openTransportsOf(all);
    try {
      const depths = await queueDepths(all, [...(opened ? [opened.queues] : []), ...own.transports.factories], own.unavailable);
      out(flags.json ? JSON.stringify({ queues: depths }, null, 2) : table(['queue', 'messages', ''], depths.map((d) => [d.queue, d.messages ?? '-', d.note ?? ''])));
      const failed = depths.filter((d) => d.messages === null && !d.note?.includes('cannot count'));
      if (failed.length > 0) throw new OncebusFailure(`could not count: ${failed.map((d) => d.queue).join(', ')}`);
    } finally {
      await own.transports.close();
      await opened?.close();
    }
  });
  addErrorCommands(cli, io, { notFound: (m) => new CheckFailed(m), failed: (m) => new OncebusFailure(m) });
  addDashboardCommand(cli, io);
  addMigrateCommand(cli, io);
  addSubscriptionCommands(cli, io, { notFound: (m) => new CheckFailed(m) });
  addSagaCommands(cli, io, { notFound: (m) => new CheckFailed(m), stuck: (m) => new CheckFailed(m) });
  addHttpKeyCommands(cli, io, { notFound: (m) => new CheckFailed(m) });
  return cli;
}

/** Runs the CLI on `argv` (node, script, …args); resolves to the exit code. */
export async function run(argv: readonly string[], io: CliOutput = STD): Promise<number> {
  const err = terminalSafe(io).err;
  try {
    await program(io).parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CheckFailed) {
      err(error.message);
      return 3;
    }
    if (error instanceof OncebusFailure) {
      err(`error: ${error.message}`);
      return 1;
    }
    if (error instanceof CommanderError) {
      // Help and version end here too (exit code 0); commander has printed them already.
      if (error.code.startsWith('oncebus.')) err(error.message);
      return error.exitCode === 0 ? 0 : 2;
    }
    if (OncebusError.is(error)) {
      // The message ends with " — <hint>": on a terminal the hint gets its own line instead, printed once.
      const suffix = error.hint ? ` — ${error.hint}` : '';
      const message = suffix && error.message.endsWith(suffix) ? error.message.slice(0, -suffix.length) : error.message;
      err(`error: ${maskSecrets(message)}${error.hint ? `\nhint: ${maskSecrets(error.hint)}` : ''}`);
      return error.code === 'ONCEBUS_CONFIGURATION' ? 2 : 1;
    }
    err(`error: ${maskSecrets(error instanceof Error ? error.message : String(error))}`);
    return 1;
  }
}

