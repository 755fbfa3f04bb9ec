// A child process that claims one message in the idempotence store and holds the claim until told to
// commit (as handled) or roll back on stdin. Prints 'status <ProcessingStatus>' once it has one.
import { emptyTransportMessage } from '../../src/envelope/transport-message.js';
import { PostgresStore } from '../../src/stores/postgres/index.js';
import { SqliteStore } from '../../src/stores/sqlite/index.js';

const { kind, pgUrl, schema, file, messageId } = JSON.parse(process.env.CLAIM_CONFIG ?? '{}') as Record<string, string>;
const store = kind === 'postgres' ? new PostgresStore({ connectionString: pgUrl!, schema: schema! }) : new SqliteStore({ file: file! });
const service = store.idempotence().create('main://default/work');
await service.start();
const tm = emptyTransportMessage();
tm.messageId = messageId!;
tm.messageType = 'crash.WorkItem';
process.stdout.write('started\n');
const uow = await service.beginUnitOfWork();
const status = await service.processingStatus(tm, uow);
process.stdout.write(`status ${status}\n`);
process.stdin.setEncoding('utf8');
process.stdin.once('data', (command: string) => {
  void (async () => {
    if (command.trim() === 'commit') {
      await service.messageHandled(tm, uow);
      await uow.commit();
    } else await uow.rollback();
    await service.stop();
    await store.close();
    process.stdout.write('done\n');
    process.exit(0);
  })();
});
