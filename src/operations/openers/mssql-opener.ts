import { ConfigurationError } from '../../errors/errors.js';
import { maskSecrets } from '../../secrets/mask-secrets.js';
import { sqlIdentifier } from '../../stores/sql/operations.js';
import type { OpenedStore, SchemeOpener } from './opened.js';
import { refuseTablePrefix } from './postgres-opener.js';

/** An ADO value in braces (a '}' doubled): a password with ';' or '=' stays one value, never a second key. */
const braced = (value: string): string => `{${value.replace(/}/g, '}}')}}`;

/**
 * `mssql://user:password@host[:port]/database[?encrypt=false&trustServerCertificate=true]` as the ADO
 * connection string the mssql driver reads (it takes no URLs).
 */
export function mssqlConnectionString(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigurationError('--store', `'${maskSecrets(url)}' is not a URL`, { hint: 'give mssql://user:password@host[:port]/database' });
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!parsed.hostname || !database) throw new ConfigurationError('--store', `'${maskSecrets(url)}' names no host or database`, { hint: 'give mssql://user:password@host[:port]/database' });
  const parts: [string, string][] = [
    ['Server', parsed.port ? `${parsed.hostname},${parsed.port}` : parsed.hostname],
    ['Database', database],
    ['User Id', decodeURIComponent(parsed.username)],
    ['Password', decodeURIComponent(parsed.password)],
  ];
  for (const [key, value] of parsed.searchParams) {
    if (!/^[A-Za-z][A-Za-z ]*$/.test(key)) throw new ConfigurationError('--store', `'${key}' is not a connection setting`, { hint: 'give settings such as ?encrypt=true&trustServerCertificate=false' });
    parts.push([key, value]);
  }
  return parts.map(([k, v]) => `${k}=${braced(v)}`).join(';');
}

/** SQL Server databases: only to migrate an endpoints' store (`oncebus migrate`); connected on first statement. */
export const mssqlOpener: SchemeOpener = {
  schemes: ['mssql', 'sqlserver'],
  form: 'mssql://user:password@host[:port]/database',
  async migrationStore(url, options): Promise<OpenedStore> {
    refuseTablePrefix(options.tablePrefix);
    const schema = sqlIdentifier(options.schema ?? 'oncebus', options.schemaSetting ?? '--schema');
    const connectionString = mssqlConnectionString(url);
    const { MssqlStore } = await import('../../stores/mssql/index.js');
    const store = new MssqlStore({ connectionString, schema });
    return { store: store.store, queues: store.queues, subscriptions: store.subscriptions, where: `${maskSecrets(url)} (schema ${schema})`, close: () => store.close() };
  },
};
