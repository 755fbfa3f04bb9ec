import { type Command, CommanderError, Option } from 'commander';
import type { OpenedStore } from '../openers/opened.js';
import { openStore } from '../openers/registry.js';

/** The flags of a command that works on one SQL store. */
export interface StoreFlags {
  readonly store?: string;
  readonly schema?: string;
  readonly json?: boolean;
}

/** `--store`, `--schema` and `--json`, with the environment variables every command reads them from. */
export const storeOptions = (command: Command, storeDescription = 'the SQL store: sqlite:<file> or postgres://user:password@host/database'): Command =>
  command
    .addOption(new Option('--store <url>', storeDescription).env('ONCEBUS_STORE'))
    .addOption(new Option('--schema <name>', 'PostgreSQL schema of the store').env('ONCEBUS_SCHEMA').default('oncebus'))
    .option('--json', 'print JSON instead of text');

/** Opens the store the flags name, runs `run` on it and closes it; no store given is a usage error (exit 2). */
export async function withStore<T>(flags: StoreFlags, run: (opened: OpenedStore) => Promise<T>): Promise<T> {
  if (!flags.store) throw new CommanderError(2, 'oncebus.missingStore', 'error: no store given: pass --store sqlite:<file> or --store postgres://… (or set ONCEBUS_STORE)');
  const opened = await openStore(flags.store, { schema: flags.schema });
  try {
    return await run(opened);
  } finally {
    await opened.close();
  }
}
