import { userInfo } from 'node:os';
import { type Command, CommanderError, Option } from 'commander';
import { loadEndpointSettings } from '../../config/load-endpoint-options.js';
import { ErrorIngestor } from '../errors/error-ingestor.js';
import type { FailedMessageStatus, FailedMessageStore } from '../errors/failed-message-store.js';
import { shownGroup, shownMessage } from '../shown.js';
import { detailJson, detailText } from './failed-message-text.js';
import { openOperationsStore, openTransports } from '../openers/registry.js';
import { ConfigurationError } from '../../errors/errors.js';
import { maskSecrets } from '../../secrets/mask-secrets.js';
import type { QueueRegistry } from '../../transport/queue-registry.js';
import { queueScheme } from '../../transport/queue-uri.js';
import { type ActionReport, deleteFailedMessages, returnFailedMessages } from '../errors/return-failed-messages.js';
import type { CliOutput } from './main.js';
import { ago, table } from './format.js';

interface OpsFlags {
  readonly store?: string;
  readonly schema?: string;
  readonly json?: boolean;
}

interface TransportFlags {
  readonly transport?: string[];
  readonly transportSchema?: string;
}

const opsOptions = (command: Command): Command =>
  command
    .addOption(new Option('--store <url>', 'the operations store: sqlite:<file> (created when missing) or postgres://user:password@host/database').env('ONCEBUS_OPS_STORE'))
    .addOption(new Option('--schema <name>', 'PostgreSQL schema of the operations store').default('oncebus_ops'))
    .option('--json', 'print JSON instead of text');

const transportOptions = (command: Command): Command =>
  command
    .addOption(
      new Option('--transport <url...>', "where the queues are: sqlite:<file>, postgres://… (the endpoints' SQL queues), rabbitmq://user:password@host, azuresb://<name> (connection string in ONCEBUS_AZURESB_<NAME>)").env(
        'ONCEBUS_TRANSPORT',
      ),
    )
    .addOption(new Option('--transport-schema <name>', "PostgreSQL schema of the endpoints' queues").default('oncebus'));

async function withOps<T>(flags: OpsFlags, run: (store: FailedMessageStore) => Promise<T>): Promise<T> {
  if (!flags.store) throw new CommanderError(2, 'oncebus.missingStore', 'error: no operations store given: pass --store sqlite:<file> or --store postgres://… (or set ONCEBUS_OPS_STORE)');
  const opened = await openOperationsStore(flags.store, { schema: flags.schema });
  try {
    return await run(opened.store);
  } finally {
    await opened.close();
  }
}

/** Runs with the queues of the transports given; `needed` (error queues) must each be on one of them. */
async function withQueues<T>(flags: TransportFlags, run: (queues: QueueRegistry) => Promise<T>, needed: readonly string[] = []): Promise<T> {
  const transports = await openTransports(flags.transport ?? [], { schema: flags.transportSchema });
  try {
    const schemes = new Set(transports.factories.map((f) => f.scheme));
    for (const uri of needed) {
      if (!schemes.has(queueScheme(uri, 'error queue'))) {
        throw new ConfigurationError('--transport', `no transport given for the error queue ${maskSecrets(uri)}`, {
          hint: 'name the transport it is on: --transport sqlite:<file>, postgres://…, rabbitmq://user:password@host or azuresb://<name>',
        });
      }
    }
    return await run(transports.queues);
  } finally {
    await transports.close();
  }
}

/** Which failed messages an action names: ids (or messageIds), a group, or all unresolved ones. */
async function selection(store: FailedMessageStore, ids: readonly string[], flags: { group?: string; all?: boolean }): Promise<string[]> {
  const ways = [ids.length > 0, flags.group !== undefined, flags.all === true].filter(Boolean).length;
  if (ways !== 1) throw new CommanderError(2, 'oncebus.selection', 'error: name the failed messages: ids, or --group <id>, or --all (one of them)');
  if (flags.group !== undefined) return store.unresolved({ groupId: flags.group });
  if (flags.all) return store.unresolved({ all: true });
  return [...ids];
}

const STATUSES = ['unresolved', 'returning', 'returned', 'archived', 'all'];

/** --page and --limit, whole numbers from 1 (a usage error otherwise). */
function paging(flags: { readonly page: string; readonly limit: string }): { page: number; limit: number } {
  const limit = Number(flags.limit);
  const page = Number(flags.page);
  if (!Number.isInteger(limit) || limit < 1 || !Number.isInteger(page) || page < 1) throw new CommanderError(2, 'oncebus.paging', 'error: --page and --limit take whole numbers from 1');
  return { page, limit };
}

/** `oncebus errors …`: ingest error queues, list and group failed messages, return or delete them. */
export function addErrorCommands(cli: Command, io: CliOutput, outcomes: { readonly notFound: (message: string) => Error; readonly failed: (message: string) => Error }): void {
  const out = io.out;
  const errors = cli.command('errors').description('failed messages: ingest error queues into an operations store, see them by group, return or delete them');

  transportOptions(opsOptions(errors.command('ingest')))
    .description("records what waits in error queues (named, or an endpoint's from --config), acknowledging each only once recorded")
    .argument('[uris...]', 'error queue URIs')
    .option('--config <file...>', "endpoints' settings files: their inbox and outbox error queues")
    .option('--watch', 'keep ingesting until stopped (SIGINT/SIGTERM) instead of draining once')
    .addOption(new Option('--retention <duration>', 'with --watch: purge returned and deleted records older than this').default('14d'))
    .action(async (uris: string[], flags: OpsFlags & TransportFlags & { config?: string[]; watch?: boolean; retention: string }) => {
      const fromConfig = (flags.config ?? []).flatMap((file) => {
        const s = loadEndpointSettings(file);
        return [s.inbox?.errorQueueUri, s.outbox?.errorQueueUri].filter((u): u is string => typeof u === 'string');
      });
      const all = [...new Set([...fromConfig, ...uris])];
      if (all.length === 0) throw new CommanderError(2, 'oncebus.noQueues', 'error: no error queue given: name URIs, or endpoints with --config <file>');
      await withOps(flags, (store) =>
        withQueues(
          flags,
          async (queues) => {
          const ingestor = new ErrorIngestor(store, queues, all);
          if (!flags.watch) {
            const report = await ingestor.drain();
            out(flags.json ? JSON.stringify(report) : `ingested ${report.new} new, ${report.failedAgain} failed again, ${report.alreadyIngested} already recorded`);
            return;
          }
          const { parseDuration } = await import('../../config/duration.js');
          const retentionMs = parseDuration(flags.retention, '--retention');
          const stop = () => ingestor.stop();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
          const { createDefaultLogger } = await import('../../logging/logger.js');
          await ingestor.run(createDefaultLogger(), 1000, retentionMs);
          },
          all,
        ),
      );
    });

  opsOptions(errors.command('list'))
    .description('failed messages, the latest first')
    .option('--group <id>', 'only this failure group')
    .option('--search <text>', 'in messageId, message type, exception and failure message')
    .addOption(new Option('--status <status>', 'which ones').choices(STATUSES).default('unresolved'))
    .option('--page <n>', 'page number, from 1', '1')
    .option('--limit <n>', 'per page (at most 500)', '50')
    .action(async (flags: OpsFlags & { group?: string; search?: string; status: string; page: string; limit: string }) => {
      const { page, limit } = paging(flags);
      await withOps(flags, async (store) => {
        const found = await store.list({ status: flags.status as FailedMessageStatus | 'all', groupId: flags.group, search: flags.search, offset: (page - 1) * limit, limit });
        const messages = found.messages.map(shownMessage);
        if (flags.json) return out(JSON.stringify({ total: found.total, page, limit, messages }, null, 2));
        const now = Date.now();
        out(`${found.total} failed message(s)${found.total > limit ? `, page ${page} of ${Math.ceil(found.total / limit)}` : ''}`);
        if (messages.length > 0) {
          out(table(['id', 'message type', 'exception', 'source queue', 'failed', 'last', 'status'], messages.map((m) => [m.id, m.messageType, m.exceptionType, m.sourceQueue, m.timesFailed, `${ago(now - m.lastFailedAt)} ago`, m.status])));
        }
      });
    });

  opsOptions(errors.command('groups'))
    .description('failed messages grouped by failure (message type, exception, normalised message), the largest first')
    .addOption(new Option('--status <status>', 'count these').choices(STATUSES).default('unresolved'))
    .option('--page <n>', 'page number, from 1', '1')
    .option('--limit <n>', 'groups per page (at most 500)', '50')
    .action(async (flags: OpsFlags & { status: string; page: string; limit: string }) => {
      const { page, limit } = paging(flags);
      await withOps(flags, async (store) => {
        const found = await store.groupPage({ status: flags.status as FailedMessageStatus | 'all', offset: (page - 1) * limit, limit });
        const groups = found.groups.map(shownGroup);
        if (flags.json) return out(JSON.stringify({ total: found.total, messages: found.messages, page, limit, groups }, null, 2));
        if (found.total === 0) return out('no failed messages');
        const now = Date.now();
        out(`${found.messages} failed message(s) in ${found.total} group(s)${found.total > limit ? `, page ${page} of ${Math.ceil(found.total / limit)}` : ''}`);
        if (groups.length > 0) out(table(['group', 'messages', 'last', 'failure'], groups.map((g) => [g.id, g.count, `${ago(now - g.lastFailedAt)} ago`, g.title])));
      });
    });

  opsOptions(errors.command('show'))
    .description('one failed message: headers, body, every failure, the stack, what operators did')
    .argument('<id>', 'its id (errors list) or its messageId')
    .action(async (id: string, flags: OpsFlags) => {
      await withOps(flags, async (store) => {
        const found = await store.get(id);
        if (!found) throw outcomes.notFound(`no failed message ${id}`);
        out(flags.json ? JSON.stringify(detailJson(found), null, 2) : detailText(found));
      });
    });

  for (const action of ['return', 'delete'] as const) {
    const command = opsOptions(errors.command(action));
    if (action === 'return') {
      transportOptions(command)
        .option('--ignore-retention', "add oncebus-ignore-retention: true (run it even past the endpoint's retention window)")
        .option('--resume-after <duration>', "first finish returns another process stored this long ago and left unfinished (it died mid-way); a younger one is that process's to finish", '30s');
    }
    command
      .description(
        action === 'return'
          ? 'sends failed messages back to the queue they failed in (same messageId, failures reset), once even if this process dies mid-way'
          : 'archives failed messages: out of the lists, purged after the retention',
      )
      .argument('[ids...]', 'ids (errors list) or messageIds')
      .option('--group <id>', 'every unresolved message of this group')
      .option('--all', 'every unresolved message')
      .option('--by <name>', 'who does it (recorded)', userInfo().username)
      .action(async (ids: string[], flags: OpsFlags & TransportFlags & { group?: string; all?: boolean; by: string; ignoreRetention?: boolean; resumeAfter?: string }) => {
        const { parseDuration } = await import('../../config/duration.js');
        const resumeAfterMs = flags.resumeAfter === undefined ? undefined : parseDuration(flags.resumeAfter, '--resume-after');
        await withOps(flags, async (store) => {
          const chosen = await selection(store, ids, flags);
          const report: ActionReport =
            action === 'return'
              ? await withQueues(flags, (queues) => returnFailedMessages(store, queues, chosen, { by: flags.by, ignoreRetention: flags.ignoreRetention === true, resumeAfterMs }))
              : await deleteFailedMessages(store, chosen, { by: flags.by });
          if (flags.json) out(JSON.stringify(report, null, 2));
          else {
            out(`${action === 'return' ? 'returned' : 'deleted'} ${report.done.length}`);
            for (const s of report.skipped) out(`skipped ${s.id}: ${s.reason}`);
          }
          if (chosen.length > 0 && report.done.length === 0) throw outcomes.failed(`nothing to ${action}: ${report.skipped.map((k) => `${k.id} (${k.reason})`).join(', ')}`);
        });
      });
  }
}
