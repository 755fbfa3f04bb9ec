import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { createRequire } from 'node:module';
import { emptyTransportMessage } from '../../../src/envelope/transport-message.js';
import { postgresArrayLiteral } from '../../../src/stores/postgres/postgres-array-literal.js';
import type { IQueue } from '../../../src/transport/queue.js';
import { pgClientForSuite } from '../../support/pg-client.js';
import { openPostgresStore, } from '../../support/sql-subjects.js';

/** node-postgres's own serializer: what the server must keep receiving. */
const pgUtils = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue(value: unknown): unknown };

// oncebus writes array parameters itself (cheaper than node-postgres) and sends a batch's bodies end to end
// in one bytea: both must give the server exactly the values node-postgres's own serializer would.
const TRICKY_TEXT = ['', 'plain', 'with "quotes"', 'back\\slash', '\\"both\\"', 'NULL', 'a,b', '{braces}', ' spaced ', 'üñï €', '\u{1F600}'];

describe('parameters on the wire (PostgreSQL)', () => {
  it('writes an array literal as node-postgres does, whatever the elements', () => {
    const cases: unknown[][] = [
      [],
      TRICKY_TEXT,
      [null, undefined, 'x'],
      [0, -1, 1.5, 1e21, Number.MAX_SAFE_INTEGER, 12345678901234567890n, true, false],
      [Buffer.from([0, 1, 0xff]), new Uint8Array([0x80, 0x5c]), Buffer.alloc(0)],
      [['a', 'b"'], [null, 'c\\']],
      [new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)), { json: 'value "q"' }],
      // Joined whole (no element needs escaping), and the same with one that does, or a null, among them.
      ['', 'plain', 'NULL', 'a,b', '{braces}', ' spaced ', 'üñï €', '\u{1F600}', 7, -0, Number.NaN, 2n, true],
      ['9b2e-1', 'a","b', 'c'],
      ['id-1', null, 'id-2'],
      [1.5, 'x\\y'],
    ];
    for (const values of cases) expect(postgresArrayLiteral(values), JSON.stringify(values, (_, v) => (typeof v === 'bigint' ? String(v) : v))).to.equal(pgUtils.prepareValue(values));
  });

  describe('on a server', () => {
    const pgClient = pgClientForSuite();

    it('reads back every element of text, bigint and bytea arrays', async () => {
      const bytes = [Buffer.from([0, 0xff, 0x80, 0x5c, 0x22]), Buffer.alloc(0)];
      const { rows } = await pgClient.current().query<{ t: string[]; n: string[]; b: Buffer[] }>('SELECT $1::text[] AS t, $2::bigint[] AS n, $3::bytea[] AS b', [
        postgresArrayLiteral(TRICKY_TEXT),
        postgresArrayLiteral(['9007199254740993', 7]),
        postgresArrayLiteral(bytes),
      ]);
      expect(rows[0]!.t).to.deep.equal(TRICKY_TEXT);
      expect(rows[0]!.n).to.deep.equal(['9007199254740993', '7']);
      expect(rows[0]!.b.map((b) => [...b])).to.deep.equal(bytes.map((b) => [...b]));
    });

    it('stores each enqueued body of one batch whole and in order, empty and non-UTF-8 bodies included', async () => {
      const store = openPostgresStore();
      try {
        const queue = store.queues.create(`postgres://default/wire-${randomUUID().slice(0, 8)}`) as IQueue & { create(): Promise<void> };
        await queue.create();
        // Enqueued in one turn: one enqueueMany statement. Lengths differ, so a wrong start or length shows.
        const bodies = [Buffer.from('{"first":1}'), Buffer.alloc(0), Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x5c, 0x78]), Buffer.alloc(70_000, 0x41), Buffer.from('last')];
        await Promise.all(bodies.map((body) => queue.enqueue({ ...emptyTransportMessage(), messageId: randomUUID() }, body)));
        const received: number[][] = [];
        for (let i = 0; i < bodies.length; i++) {
          const message = await queue.getMessage();
          expect(message, `message ${i}`).to.not.equal(null);
          received.push([...message!.body]);
          await queue.acknowledge(message!.token);
        }
        expect(received).to.deep.equal(bodies.map((b) => [...b]));
      } finally {
        await store.dispose();
      }
    });
  });
});
