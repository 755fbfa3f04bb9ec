import { expect } from 'chai';
import fc from 'fast-check';
import { deserializeTransportMessage, serializeTransportMessage } from '../../src/envelope/wire-format.js';
import { check, PROPERTY_TIMEOUT_MS, typedOrResult } from './fuzz-runs.js';

/** A value of the field's type, or anything at all (a wrong type, null, absent). */
const field = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }, { weight: 1, arbitrary: fc.constant(undefined) });
const text = fc.string({ unit: 'binary', maxLength: 40 });
/** Keys that mean something to JavaScript objects, besides any text. */
const key = fc.oneof({ weight: 4, arbitrary: text }, { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf') });
const date = fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.string({ maxLength: 30 }));

/** Envelopes shaped like the real thing, each field sometimes of the wrong type… */
const known = fc
  .record(
    {
      v: field(fc.integer()),
      messageId: field(text),
      messageType: field(text),
      message: field(fc.oneof(fc.base64String({ maxLength: 64 }), fc.string({ maxLength: 20 }))),
      messageReceivedId: field(text),
      correlationId: field(text),
      senderInboxWorkQueueUri: field(text),
      recipientInboxWorkQueueUri: field(text),
      principalIdentityName: field(text),
      ignoreTillDate: field(date),
      expiryDate: field(date),
      sendDate: field(date),
      priority: field(fc.double()),
      failureMessages: field(fc.array(text, { maxLength: 5 })),
      encryptionAlgorithm: field(text),
      compressionAlgorithm: field(text),
      headers: field(fc.dictionary(key, text, { maxKeys: 8 })),
    },
    { requiredKeys: [] },
  );
/** …with a few unknown fields besides, JavaScript's own names among them. */
const envelopes = fc
  .tuple(known, fc.dictionary(key, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }))
  .map(([o, extra]) => Buffer.from(JSON.stringify({ ...extra, ...o })));

const bytes = fc.oneof(
  fc.uint8Array({ maxLength: 512 }),
  fc.json().map((j) => Buffer.from(j)),
  fc.string({ unit: 'binary', maxLength: 256 }).map((s) => Buffer.from(s)),
  envelopes,
);

describe('fuzz: the envelope decoder (wire-format.ts) reads any bytes without a surprise', function () {
  this.timeout(PROPERTY_TIMEOUT_MS);

  it('returns an envelope no bigger than its bytes, or throws a typed oncebus error', async () => {
    await check(bytes, (input) => {
      const tm = typedOrResult(() => deserializeTransportMessage(input));
      if (!tm) return;
      expect(tm.message.byteLength).to.be.at.most(input.byteLength);
      expect(tm.messageId.length + tm.messageType.length + JSON.stringify(tm.headers).length).to.be.at.most(input.byteLength * 2 + 16);
    });
  });

  it('reads back what it wrote from anything it read (the written form is stable)', async () => {
    await check(envelopes, (input) => {
      const tm = typedOrResult(() => deserializeTransportMessage(input));
      if (!tm) return;
      const again = deserializeTransportMessage(serializeTransportMessage(tm));
      expect(again).to.deep.equal(tm);
    });
  });

  it('refuses anything over the limit before reading it', async () => {
    await check(fc.tuple(bytes, fc.nat({ max: 600 })), ([input, limit]) => {
      const tm = typedOrResult(() => deserializeTransportMessage(input, { maxMessageSize: limit }));
      if (tm) expect(input.byteLength).to.be.at.most(limit);
    });
  });
});
