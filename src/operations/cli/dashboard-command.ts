import { userInfo } from 'node:os';
import { type Command, CommanderError, Option } from 'commander';
import type { CliOutput } from './main.js';

interface DashboardFlags {
  readonly store?: string;
  readonly schema: string;
  readonly transport?: string[];
  readonly transportSchema: string;
  readonly config?: string[];
  readonly endpointStore?: string;
  readonly host: string;
  readonly port: string;
  readonly token?: string;
  readonly by: string;
  readonly keyRing?: string;
}

function osUser(): string {
  try {
    return userInfo().username || 'operator';
  } catch {
    return 'operator';
  }
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilStopped(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** The AES key ring from a JSON file; a missing file or a bad key is a usage error (exit 2) naming the file. */
async function readKeyRing(file: string) {
  const { readFileSync } = await import('node:fs');
  const { Aes256GcmEncryption } = await import('../../codecs/aes256gcm-encryption.js');
  try {
    return new Aes256GcmEncryption(JSON.parse(readFileSync(file, 'utf8')));
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new CommanderError(2, 'oncebus.keyRing', `error: --key-ring ${file}: ${why} (expected { "currentKeyId": "k1", "keys": { "k1": "<32 bytes as base64>" } })`);
  }
}

/**
 * `oncebus dashboard`: the web dashboard over an operations store (see docs/dashboard.md), until SIGINT or
 * SIGTERM. Its modules (and fastify) are loaded only when it runs, so the other commands need neither.
 */
export function addDashboardCommand(cli: Command, io: CliOutput): void {
  cli
    .command('dashboard')
    .description('a web page over the operations store: failed messages by group, search, detail, return and delete (confirmed), queue depths, idempotence rows and saga instances')
    .addOption(new Option('--store <url>', 'the operations store: sqlite:<file> (created when missing) or postgres://user:password@host/database').env('ONCEBUS_OPS_STORE'))
    .addOption(new Option('--schema <name>', 'PostgreSQL schema of the operations store').default('oncebus_ops'))
    .addOption(
      new Option('--transport <url...>', "where the queues are, for returns and depths: sqlite:<file>, postgres://… (the endpoints' SQL queues), rabbitmq://user:password@host, azuresb://<name> (connection string in ONCEBUS_AZURESB_<NAME>)").env(
        'ONCEBUS_TRANSPORT',
      ),
    )
    .addOption(new Option('--transport-schema <name>', "PostgreSQL schema of the endpoints' queues and store").default('oncebus'))
    .option('--config <file...>', "endpoints' settings files: the depths of their queues (inbox, deferred, error, outbox) are shown")
    .option('--endpoint-store <url>', "the endpoints' SQL store (sqlite:<file> or postgres://…): its idempotence rows per endpoint and its saga instances are shown")
    .option('--host <host>', 'where to listen; any host but 127.0.0.1, localhost or ::1 needs --token', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0: any free one)', '0')
    .addOption(new Option('--token <token>', 'required by every request (open the page once with ?token=…, or send Authorization: Bearer …); 16 characters or more').env('ONCEBUS_DASHBOARD_TOKEN'))
    .option('--by <name>', 'who acts (recorded with each return and delete)', osUser())
    .addOption(
      new Option('--key-ring <file>', 'a JSON file { "currentKeyId": …, "keys": { id: base64 key } } (the endpoints\' AES-256-GCM key ring): encrypted bodies are shown decrypted').env(
        'ONCEBUS_KEY_RING',
      ),
    )
    .action(async (flags: DashboardFlags) => {
      if (!flags.store) throw new CommanderError(2, 'oncebus.missingStore', 'error: no operations store given: pass --store sqlite:<file> or --store postgres://… (or set ONCEBUS_OPS_STORE)');
      const port = /^\d{1,5}$/.test(flags.port) ? Number(flags.port) : Number.NaN;
      if (!(port <= 65535)) throw new CommanderError(2, 'oncebus.port', `error: --port takes a port number (0 for any free one), not '${flags.port}'`);
      const { checkDashboardOptions, createDashboard } = await import('../dashboard/index.js');
      // Before anything is opened: an exposed host without a token is refused outright.
      checkDashboardOptions({ host: flags.host, port, token: flags.token });
      const { openOperationsStore, openStore, openTransports } = await import('../openers/registry.js');
      const { queuesOf } = await import('../queue-depths.js');
      const { loadEndpointSettings } = await import('../../config/load-endpoint-options.js');

      const codecs = flags.keyRing ? [await readKeyRing(flags.keyRing)] : [];
      const endpointQueues = [...new Set((flags.config ?? []).flatMap((file) => queuesOf(loadEndpointSettings(file))))];
      const closers: (() => Promise<void>)[] = [];
      try {
        const ops = await openOperationsStore(flags.store, { schema: flags.schema });
        closers.unshift(() => ops.close());
        const transports = flags.transport && flags.transport.length > 0 ? await openTransports(flags.transport, { schema: flags.transportSchema }) : null;
        const queues = transports?.queues;
        if (transports) closers.unshift(() => transports.close());
        const endpoint = flags.endpointStore ? await openStore(flags.endpointStore, { schema: flags.transportSchema, schemaSetting: '--transport-schema' }) : null;
        if (endpoint) closers.unshift(() => endpoint.close());
        const dashboard = await createDashboard({
          store: ops.store,
          storeName: ops.where,
          queues,
          endpointQueues,
          queueFactories: [...(transports?.factories ?? []), ...(endpoint ? [endpoint.queues] : [])],
          endpointStore: endpoint?.store,
          endpointStoreName: endpoint?.where,
          host: flags.host,
          port,
          token: flags.token,
          by: flags.by,
          codecs,
        });
        closers.unshift(() => dashboard.close());
        io.out(`oncebus dashboard: ${dashboard.url}`);
        io.out(`  operations store ${ops.where}; acting as ${flags.by}${flags.token ? '; open it once with ?token=<the token>' : ''}`);
        if (!queues) io.out('  returns are off: give --transport to return failed messages to their queues');
        io.out('  stop it with Ctrl+C (SIGINT) or SIGTERM');
        await untilStopped();
      } finally {
        for (const close of closers) await close().catch(() => undefined);
      }
    });
}
