import { type Command, CommanderError } from 'commander';
import { parseDuration } from '../../config/duration.js';
import { listSagaInstances, sagaInstance, type SagaInstanceRow } from '../sagas/saga-instances.js';
import { MAX_SHOWN_STATE_BYTES, sagaStateView, shownSagaRow } from '../sagas/saga-state-view.js';
import { ago, table } from './format.js';
import type { CliOutput } from './main.js';
import { type StoreFlags, storeOptions, withStore } from './store-flags.js';

const STORE_DESCRIPTION = "the endpoints' SQL store whose sagas table to read: sqlite:<file> or postgres://user:password@host/database";
const MAX_LIMIT = 1000;

interface ListFlags extends StoreFlags {
  readonly type?: string;
  readonly olderThan?: string;
  readonly limit: string;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** A row as JSON: times as epoch ms and ISO, its age. */
const rowJson = (r: SagaInstanceRow, now: number) => ({ ...r, created: iso(r.createdAt), updated: iso(r.updatedAt), completed: iso(r.completedAt), ageMs: now - r.createdAt });

/**
 * `oncebus sagas list|show`: the saga instances of an endpoints' store — by type and age, the stuck ones
 * (open for longer than --older-than: exit 3, for a monitor), and one instance with its decoded state.
 */
export function addSagaCommands(cli: Command, io: CliOutput, results: { notFound(message: string): Error; stuck(message: string): Error }): void {
  const sagas = cli.command('sagas').description("saga instances in an endpoints' store: by type and age, the stuck ones, one instance's state");

  storeOptions(sagas.command('list'), STORE_DESCRIPTION)
    .description('instances by type, the oldest first: correlation id, instance id, version, created, updated, age, completed')
    .option('--type <sagaType>', 'only this saga type')
    .option('--older-than <duration>', 'only open (not completed) instances started longer ago than this (e.g. 1h): stuck ones; exit 3 when there are any')
    .option('--limit <n>', `at most this many (1-${MAX_LIMIT})`, '50')
    .action(async (flags: ListFlags) => {
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new CommanderError(2, 'oncebus.limit', `error: --limit takes a whole number from 1 to ${MAX_LIMIT}`);
      const olderThan = flags.olderThan === undefined ? undefined : parseDuration(flags.olderThan, '--older-than');
      const now = Date.now();
      await withStore(flags, async ({ store, where }) => {
        const found = await listSagaInstances(store, { sagaType: flags.type, startedBefore: olderThan === undefined ? undefined : now - olderThan, limit });
        const instances = found.instances.map(shownSagaRow);
        const which = `${flags.type === undefined ? '' : ` of ${flags.type}`}${olderThan === undefined ? '' : ` open longer than ${flags.olderThan}`}`;
        if (flags.json) io.out(JSON.stringify({ store: where, at: iso(now), total: found.total, instances: instances.map((r) => rowJson(r, now)) }, null, 2));
        else if (found.total === 0) io.out(`no saga instances${which} in ${where}`);
        else {
          const shown = found.total > instances.length ? ` (the first ${instances.length})` : '';
          const rows = instances.map((r) => [r.sagaType, r.correlationId, r.instanceId, r.version, iso(r.createdAt)!, `${ago(now - r.updatedAt)} ago`, ago(now - r.createdAt), r.completedAt === null ? 'no' : `yes, ${ago(now - r.completedAt)} ago`]);
          io.out(`${found.total} saga instance(s)${which} in ${where}${shown}\n${table(['type', 'correlation id', 'instance id', 'version', 'created', 'updated', 'age', 'completed'], rows)}`);
        }
        if (olderThan !== undefined && found.total > 0) throw results.stuck(`stuck: ${found.total} saga instance(s) open longer than ${flags.olderThan}`);
      });
    });

  storeOptions(sagas.command('show'), STORE_DESCRIPTION)
    .description('one instance: its row and its state, decoded (tagged JSON), secrets masked')
    .argument('<instanceId>')
    .action(async (instanceId: string, flags: StoreFlags) => {
      await withStore(flags, async ({ store }) => {
        const found = await sagaInstance(store, instanceId, MAX_SHOWN_STATE_BYTES);
        if (!found) throw results.notFound(`no saga instance ${instanceId}`);
        const now = Date.now();
        const { state: _bytes, ...row } = found;
        const shown = shownSagaRow(row);
        const state = sagaStateView(found);
        if (flags.json) {
          io.out(JSON.stringify({ ...rowJson(shown, now), state: state.kind === 'json' ? parsedOrText(state.text) : null, stateNote: state.note }, null, 2));
          return;
        }
        const lines = [
          `${shown.sagaType} ${shown.instanceId} (${shown.completedAt === null ? 'open' : `completed ${iso(shown.completedAt)}`})`,
          `  correlation id ${shown.correlationId}`,
          `  version ${shown.version}, created ${iso(shown.createdAt)} (${ago(now - shown.createdAt)} ago), updated ${iso(shown.updatedAt)} (${ago(now - shown.updatedAt)} ago)`,
          `state (${state.bytes} bytes${state.note ? `; ${state.note}` : ''}):`,
          ...(state.text ? [`  ${state.text.replace(/\n/g, '\n  ')}`] : []),
        ];
        io.out(lines.join('\n'));
      });
    });
}

/** The masked state text as JSON again (masking keeps JSON JSON), or the text itself if it was cut. */
function parsedOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
