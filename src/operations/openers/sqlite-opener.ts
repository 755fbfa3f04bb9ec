import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '../../errors/errors.js';
import { FailedMessageStore } from '../errors/failed-message-store.js';
import type { MigrationOpenOptions, OpenedStore, SchemeOpener } from './opened.js';

/** The file a `sqlite:<file>` URL (or a bare path ending in .db, .sqlite, .sqlite3) names. */
function fileOf(url: string, setting: string): string {
  const file = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
  if (file === '') throw new ConfigurationError(setting, `'${url}' names no file`, { hint: 'give sqlite:<file>' });
  return file;
}

/** An endpoints' SQLite store, opened read-only: opening a missing file would create an empty database. */
async function openSqliteStore(url: string, setting: string): Promise<OpenedStore> {
  const file = fileOf(url, setting);
  if (!existsSync(file)) throw new ConfigurationError(setting, `no such SQLite file: ${file}`, { hint: 'give the file your endpoints use (sqlite:<file>)' });
  const { SqliteStore } = await import('../../stores/sqlite/index.js');
  const store = new SqliteStore({ file });
  return { store: store.store, queues: store.queues, subscriptions: store.subscriptions, where: `sqlite:${file}`, close: () => store.close() };
}

/**
 * An endpoints' SQLite store to migrate: the file is created when missing, unless only SQL is printed —
 * then a missing file is stood in for by an empty one in a temporary folder (its every migration pending).
 */
async function openSqliteMigrationStore(url: string, options: MigrationOpenOptions): Promise<OpenedStore> {
  const file = fileOf(url, '--store');
  const standIn = options.printOnly && !existsSync(file) ? mkdtempSync(join(tmpdir(), 'oncebus-migrate-')) : null;
  const { SqliteStore } = await import('../../stores/sqlite/index.js');
  const store = new SqliteStore({ file: standIn ? join(standIn, 'empty.db') : file, tablePrefix: options.tablePrefix });
  return {
    store: store.store,
    queues: store.queues,
    subscriptions: store.subscriptions,
    where: `sqlite:${file}`,
    async close() {
      await store.close();
      if (standIn) rmSync(standIn, { recursive: true, force: true });
    },
  };
}

/** SQLite files (an operations store keeps its tables beside others, prefixed oncebus_ops_; no schema): an endpoints' store (and its queues, as a transport) or an operations store. */
export const sqliteOpener: SchemeOpener = {
  schemes: ['sqlite'],
  form: 'sqlite:<file>',
  store: (url) => openSqliteStore(url, '--store'),
  migrationStore: openSqliteMigrationStore,
  async operationsStore(url) {
    const file = fileOf(url, '--store');
    const { SqliteDatabase } = await import('../../stores/sqlite/index.js');
    const database = new SqliteDatabase({ file });
    try {
      return { store: new FailedMessageStore(database), where: `sqlite:${file}`, close: () => database.close() };
    } catch (error) {
      await database.close();
      throw error;
    }
  },
  async transport(urls) {
    if (urls.length > 1) throw new ConfigurationError('--transport', `two SQLite files given (${urls.join(', ')}): their queues would have the same URIs`, { hint: 'give one --transport sqlite:<file>' });
    const opened = await openSqliteStore(urls[0]!, '--transport');
    return { factories: [opened.queues], trusted: [], where: [opened.where], close: () => opened.close() };
  },
};
