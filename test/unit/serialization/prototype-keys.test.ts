import { expect } from 'chai';
import { OncebusError } from '../../../src/errors/oncebus-error.js';
import { materialize } from '../../../src/messages/message-type-registry.js';
import { JsonSerializer } from '../../../src/serialization/json-serializer.js';

class Order {
  orderId = '';
  describe(): string {
    return `order ${this.orderId}`;
  }
}

const json = new JsonSerializer();
const read = (text: string): unknown => json.deserialize(Buffer.from(text));
const codeOf = (run: () => unknown): string => {
  try {
    run();
    return 'accepted';
  } catch (error) {
    return OncebusError.is(error) ? error.code : `not an oncebus error: ${String(error)}`;
  }
};

describe('bodies cannot reach a prototype', () => {
  for (const key of ['__proto__', 'constructor', 'prototype']) {
    it(`refuses '${key}' as a key at any depth, tagged values included`, () => {
      expect(codeOf(() => read(`{"${key}":{}}`))).to.equal('ONCEBUS_DESERIALIZATION');
      expect(codeOf(() => read(`{"a":[1,{"b":{"${key}":1}}]}`))).to.equal('ONCEBUS_DESERIALIZATION');
      expect(codeOf(() => read(`{"m":{"$oncebus":"Map","value":[["k",{"${key}":1}]]}}`))).to.equal('ONCEBUS_DESERIALIZATION');
    });
  }

  it('still reads such words as values, and as parts of longer keys', () => {
    expect(read('{"note":"the constructor of __proto__ and prototype","prototypeCount":2}')).to.deep.equal({
      note: 'the constructor of __proto__ and prototype',
      prototypeCount: 2,
    });
  });

  it('reads an escaped tag as the tag it spells (JSON escapes change nothing)', () => {
    expect(read('{"at":{"\\u0024oncebus":"Date","value":"2026-01-01T00:00:00.000Z"}}')).to.deep.equal({ at: new Date('2026-01-01T00:00:00.000Z') });
  });

  it('materializes own data fields onto a true instance; refuses prototype keys and shadowed methods, even from another serializer', () => {
    const order = materialize(Order, { orderId: 'A-1', extra: 1 }) as Order;
    expect(order).to.be.instanceOf(Order);
    expect(order.describe()).to.equal('order A-1');
    expect(Object.keys(order)).to.deep.equal(['orderId', 'extra']);
    const own = (key: string) => Object.defineProperty({}, key, { value: {}, enumerable: true });
    expect(codeOf(() => materialize(Order, own('__proto__')))).to.equal('ONCEBUS_DESERIALIZATION');
    expect(codeOf(() => materialize(Order, { describe: 'forged' }))).to.equal('ONCEBUS_DESERIALIZATION');
    expect(codeOf(() => materialize(Order, { toString: 'forged' }))).to.equal('ONCEBUS_DESERIALIZATION');
  });
});
