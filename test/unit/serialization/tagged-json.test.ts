import assert from 'node:assert';
import { expect } from 'chai';
import { JsonSerializer } from '../../../src/serialization/json-serializer.js';

const json = new JsonSerializer();
const roundTrip = (value: unknown) => json.deserialize(json.serialize(value));
const text = (value: unknown) => Buffer.from(json.serialize(value)).toString('utf8');

describe('the JSON body format: values plain JSON loses come back as themselves', () => {
  it('round-trips a Date, a bigint, a Set and a Map, nested anywhere', () => {
    const value = {
      at: new Date('2026-12-03T07:00:00.000Z'),
      total: 12345678901234567890n,
      tags: new Set(['a', 'b']),
      lines: new Map<string, unknown>([
        ['x', { due: new Date(0), qty: 2n }],
        ['y', new Set([1])],
      ]),
      list: [new Date(1), 3n],
    };
    expect(roundTrip(value)).to.deep.equal(value);
  });

  it('keeps a body without such values plain JSON, byte for byte', () => {
    const value = { orderId: 'A-1', amount: 25, items: [{ sku: 'x' }], note: null };
    expect(text(value)).to.equal(JSON.stringify(value));
  });

  it('writes the documented tags (docs/wire-format.md)', () => {
    expect(JSON.parse(text({ at: new Date('2026-01-01T00:00:00.000Z'), n: 5n }))).to.deep.equal({
      at: { $oncebus: 'Date', value: '2026-01-01T00:00:00.000Z' },
      n: { $oncebus: 'BigInt', value: '5' },
    });
  });

  it('keeps an invalid Date invalid instead of failing the send', () => {
    const back = roundTrip({ at: new Date(Number.NaN) }) as { at: Date };
    expect(back.at).to.be.instanceOf(Date);
    expect(Number.isNaN(back.at.getTime())).to.equal(true);
  });

  it("leaves a user's object that merely has a $oncebus key alone", () => {
    const value = { $oncebus: 'Date', value: 'not a tag', extra: true };
    expect(roundTrip(value)).to.deep.equal(value);
  });

  // Found by the long fuzz run (test/fuzz/tagged-json.test.ts, seed 521373677): such a value travels intact;
  // what broke was chai's deep equality, which sorts a Set's members by calling their toString.
  it('round-trips data whose keys are the names of Object methods (a Set of objects with a toString field)', () => {
    const value = new Set<unknown>([{ toString: '' }, { valueOf: 1, hasOwnProperty: false }, 0]);
    assert.deepStrictEqual(roundTrip(value), value);
  });
});
