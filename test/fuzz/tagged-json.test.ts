import assert from 'node:assert';
import { expect } from 'chai';
import fc from 'fast-check';
import { materialize } from '../../src/messages/message-type-registry.js';
import { JsonSerializer } from '../../src/serialization/json-serializer.js';
import { stringifyTagged } from '../../src/serialization/tagged-json.js';
import { check, PROPERTY_TIMEOUT_MS, typedOrResult } from './fuzz-runs.js';

const json = new JsonSerializer();

class Order {
  orderId = '';
  get total(): number {
    return 1;
  }
  describe(): string {
    return this.orderId;
  }
}

const key = fc.oneof(
  { weight: 6, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', '$oncebus', 'value', 'total', 'describe', 'toString') },
);
const tagName = fc.oneof(fc.constantFrom('Date', 'BigInt', 'Set', 'Map'), fc.string({ maxLength: 6 }));

/** JSON values with tags ({"$oncebus": …, "value": …}) of every kind, well-formed or not, anywhere. */
const { body } = fc.letrec<{ body: unknown; tagged: unknown }>((tie) => ({
  body: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.jsonValue({ maxDepth: 1 }),
    tie('tagged'),
    fc.array(tie('body'), { maxLength: 4 }),
    fc.dictionary(key, tie('body'), { maxKeys: 4 }),
  ),
  tagged: fc.record({ $oncebus: tagName, value: fc.oneof(tie('body'), fc.string(), fc.integer().map(String), fc.array(fc.tuple(tie('body'), tie('body')), { maxLength: 3 })) }),
}));
const text = fc.oneof(body.map((b) => JSON.stringify(b) ?? 'null'), fc.json(), fc.string({ unit: 'binary', maxLength: 200 }));

/** Values the format promises to carry: JSON's, plus Date, bigint, Set and Map, nested. */
const { carried } = fc.letrec<{ carried: unknown }>((tie) => ({
  carried: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
    fc.date({ noInvalidDate: true }), // an invalid Date comes back invalid (a unit test), but is equal to nothing
    fc.bigInt(),
    fc.array(tie('carried'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }).filter((k) => !['__proto__', 'constructor', 'prototype', '$oncebus'].includes(k)), tie('carried'), { maxKeys: 4, noNullPrototype: true }),
    fc.array(tie('carried'), { maxLength: 3 }).map((a) => new Set(a)),
    fc.array(fc.tuple(tie('carried'), tie('carried')), { maxLength: 3 }).map((a) => new Map(a)),
  ),
}));

describe('fuzz: the JSON body format (tagged-json.ts) and materialize read any body without a surprise', function () {
  this.timeout(PROPERTY_TIMEOUT_MS);

  it('reads any bytes into a value no bigger than they are, or throws a typed oncebus error', async () => {
    await check(text, (input) => {
      const value = typedOrResult(() => json.deserialize(Buffer.from(input)));
      if (value === undefined) return;
      // Bounded output: written again, a value is about as long as what it was read from (a tag's fixed width aside).
      const written = typedOrResult(() => stringifyTagged(value)) ?? '';
      expect(written.length).to.be.at.most(input.length * 2 + 64);
    });
  });

  it('materializes any body into a true instance, or throws a typed oncebus error', async () => {
    await check(text, (input) => {
      const value = typedOrResult(() => json.deserialize(Buffer.from(input)));
      if (value === undefined) return;
      const order = typedOrResult(() => materialize(Order, value));
      if (order === undefined) return;
      expect(order).to.be.instanceOf(Order);
      expect(Object.getPrototypeOf(order)).to.equal(Order.prototype);
      expect((order as Order).total).to.equal(1);
    });
  });

  it('brings back every value it carries as itself', async () => {
    await check(carried, (value) => {
      // node's comparison, not chai's: chai sorts a Set's members by their toString, which data may replace.
      assert.deepStrictEqual(json.deserialize(json.serialize(value)), value);
    });
  });
});
