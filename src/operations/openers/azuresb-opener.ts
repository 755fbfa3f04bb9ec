import { ConfigurationError } from '../../errors/errors.js';
import { maskSecrets } from '../../secrets/mask-secrets.js';
import type { OpenedTransports, SchemeOpener } from './opened.js';

/**
 * The environment variable holding the connection string of the Azure Service Bus connection `name`:
 * ONCEBUS_AZURESB_ and the name in upper case, every character but a letter or a digit an underscore
 * (`orders-ns` → ONCEBUS_AZURESB_ORDERS_NS). A connection string holds a key, so it is never in a URL or an
 * argument (which every local user can read in the process list).
 */
export function azureConnectionVariable(name: string): string {
  return `ONCEBUS_AZURESB_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** The connection name an `azuresb://<name>` transport URL (or a queue URI on it) gives. */
function connectionOf(url: string): string {
  const name = URL.canParse(url) ? new URL(url).hostname : '';
  if (!name) throw new ConfigurationError('--transport', `'${maskSecrets(url)}' names no connection`, { hint: 'give azuresb://<name>, with its connection string in ONCEBUS_AZURESB_<NAME>' });
  return name;
}

/** Azure Service Bus: `azuresb://<name>`, its connection string from the environment. */
export const azureServiceBusOpener: SchemeOpener = {
  schemes: ['azuresb'],
  form: 'azuresb://<name> (the connection string in the environment variable ONCEBUS_AZURESB_<NAME>)',
  async transport(urls, options): Promise<OpenedTransports> {
    const env = options.env ?? process.env;
    const connections: Record<string, string> = {};
    for (const url of urls) {
      const name = connectionOf(url);
      const variable = azureConnectionVariable(name);
      const connectionString = env[variable];
      if (!connectionString) {
        throw new ConfigurationError('--transport', `no connection string for the Azure Service Bus connection '${name}'`, {
          hint: `set the environment variable ${variable} to its connection string (Endpoint=sb://…;SharedAccessKeyName=…;SharedAccessKey=…)`,
        });
      }
      connections[name] = connectionString;
    }
    const { AzureServiceBusQueueFactory } = await import('../../transports/azuresb/index.js');
    const factory = new AzureServiceBusQueueFactory({ connections });
    // Its connections are all named here: a queue URI naming another is refused by the factory itself.
    return { factories: [factory], trusted: [], where: Object.keys(connections).map((name) => `azuresb://${name}`), close: () => factory.close() };
  },
  transportOf(queueUri) {
    return URL.canParse(queueUri) && new URL(queueUri).hostname ? `azuresb://${new URL(queueUri).hostname}` : null;
  },
};
