import { type Command, CommanderError } from 'commander';
import { openTransports } from '../openers/registry.js';
import type { CliOutput } from './main.js';
import { table } from './format.js';
import { type StoreFlags, storeOptions, withStore } from './store-flags.js';

interface SubscriptionFlags extends StoreFlags {
  readonly transport?: string;
}

const STORE_DESCRIPTION = 'the SQL store whose subscription rows to use: sqlite:<file> or postgres://user:password@host/database';

/** Where the broker's own subscriptions are listed: bindings, which AMQP cannot list (the management API can). */
const RABBITMQ_LIST_HINT =
  'RabbitMQ subscriptions are bindings of inbox queues to the exchanges oncebus.<type>, and AMQP cannot list them: run `rabbitmqctl list_bindings source_name destination_name` on the broker (or read /api/bindings of its management plugin)';

/**
 * `oncebus subscriptions list|remove`: the subscription rows of a SQL store (endpoints that bind its
 * subscriptions), or, with --transport rabbitmq://…, the bindings of the broker's own pub/sub (remove only).
 */
export function addSubscriptionCommands(cli: Command, io: CliOutput, results: { notFound(message: string): Error }): void {
  const subscriptions = cli.command('subscriptions').description('who receives the events of each type: list or remove subscriptions');

  storeOptions(subscriptions.command('list'), STORE_DESCRIPTION)
    .description('every subscription in a SQL store: message type and subscriber inbox')
    .option('--type <messageType>', 'only this message type')
    .option('--transport <url>', 'a RabbitMQ broker: not listable over AMQP (prints where to look instead)')
    .action(async (flags: SubscriptionFlags & { type?: string }) => {
      if (flags.transport) throw new CommanderError(2, 'oncebus.listBindings', `error: ${RABBITMQ_LIST_HINT}`);
      await withStore(flags, async ({ subscriptions: rows, where }) => {
        const all = (await rows.list()).filter((s) => flags.type === undefined || s.messageType === flags.type);
        if (flags.json) io.out(JSON.stringify({ store: where, subscriptions: all }, null, 2));
        else if (all.length === 0) io.out(`no subscriptions in ${where}${flags.type === undefined ? '' : ` for ${flags.type}`}`);
        else io.out(`subscriptions in ${where}\n${table(['message type', 'subscriber inbox'], all.map((s) => [s.messageType, s.inboxUri]))}`);
      });
    });

  storeOptions(subscriptions.command('remove'), STORE_DESCRIPTION)
    .description("stop delivering a message type to an inbox: delete its row in a SQL store, or unbind its queue from the type's exchange on a RabbitMQ broker")
    .argument('<messageType>')
    .argument('<inboxUri>', "the subscriber's inbox, as `list` shows it (a rabbitmq://host/queue on the broker given with --transport)")
    .option('--transport <url>', 'a RabbitMQ broker, rabbitmq://user:password@host[:port]: unbind there instead of deleting a row')
    .action(async (messageType: string, inboxUri: string, flags: SubscriptionFlags) => {
      if (flags.transport) {
        const transports = await openTransports([flags.transport]);
        try {
          // Only on the broker named: its user's credentials never go to a host the argument names.
          transports.queues.checkDestination(inboxUri);
          const native = transports.queues.nativeSubscriptions(inboxUri);
          if (!native?.unsubscribe) throw new CommanderError(2, 'oncebus.noNativeSubscriptions', `error: ${flags.transport} has no subscriptions of its own: use --store`);
          await native.unsubscribe([messageType], inboxUri);
          io.out(flags.json ? JSON.stringify({ unbound: { messageType, inboxUri } }) : `unbound ${inboxUri} from the exchange of ${messageType}`);
        } finally {
          await transports.close();
        }
        return;
      }
      await withStore(flags, async ({ subscriptions: rows, where }) => {
        const removed = await rows.remove([messageType], inboxUri);
        if (removed === 0) throw results.notFound(`no subscription of ${inboxUri} to ${messageType} in ${where}`);
        io.out(flags.json ? JSON.stringify({ removed: { messageType, inboxUri } }) : `removed the subscription of ${inboxUri} to ${messageType} in ${where}`);
      });
    });
}
