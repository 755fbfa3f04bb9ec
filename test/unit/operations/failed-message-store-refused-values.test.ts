import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyTransportMessage } from '../../../src/envelope/transport-message.js';
import { serializeTransportMessage } from '../../../src/envelope/wire-format.js';
import { StoreError } from '../../../src/errors/errors.js';
import { FailedMessageStore } from '../../../src/operations/errors/failed-message-store.js';
import { UNREADABLE_BYTES_TYPE } from '../../../src/operations/errors/index.js';
import { SqliteDatabase } from '../../../src/stores/sqlite/sqlite-database.js';

/** The database, refusing every record of message type `refused` as a data error (SQLSTATE `code`), as PostgreSQL refuses some text. */
function refusing(database: SqliteDatabase, refused: string, code: string): SqliteDatabase {
  return new Proxy(database, {
    get(target, property, receiver) {
      if (property !== 'query') return Reflect.get(target, property, receiver);
      return async (sql: string, params: readonly unknown[] = []) => {
        if (sql.trimStart().startsWith('INSERT') && params[4] === refused) throw new StoreError(`value refused [${code}]`, { cause: Object.assign(new Error('refused'), { code }) });
        return target.query(sql, params);
      };
    },
  });
}

describe('the operations store: a failed message whose fields the database refuses', () => {
  let dir: string;
  let database: SqliteDatabase;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'oncebus-refused-'));
    database = new SqliteDatabase({ file: join(dir, 'ops.db') });
  });
  afterEach(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const code of ['22021', '54000']) {
    it(`is recorded as unreadable bytes, whole, when the database refuses a value (SQLSTATE ${code})`, async () => {
      const store = new FailedMessageStore(refusing(database, 'shop.Refused', code));
      const tm = { ...emptyTransportMessage(), messageId: 'm-1', messageType: 'shop.Refused', message: Buffer.from('{}') };
      const raw = serializeTransportMessage(tm);
      expect(await store.ingest(raw, 'sqlite://default/x-error', Date.now())).to.equal('new');
      const { messages } = await store.list();
      expect(messages.map((m) => m.messageType)).to.deep.equal([UNREADABLE_BYTES_TYPE]);
      expect(messages[0]!.failureMessage).to.contain('could not be stored');
      expect(Buffer.from((await store.get(messages[0]!.id))!.raw).equals(raw)).to.equal(true);
    });
  }

  it('an outage (no SQLSTATE of a refused value) is not taken for the message: it fails the ingestion', async () => {
    const store = new FailedMessageStore(refusing(database, 'shop.Refused', '08006'));
    const raw = serializeTransportMessage({ ...emptyTransportMessage(), messageId: 'm-1', messageType: 'shop.Refused' });
    let error: unknown;
    await store.ingest(raw, 'sqlite://default/x-error', Date.now()).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(StoreError);
    expect((await store.list({ status: 'all' })).total).to.equal(0);
  });
});
