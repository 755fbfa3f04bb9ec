import { expect } from 'chai';
import { emptyTransportMessage, type TransportMessage } from '../../../src/envelope/transport-message.js';
import { deserializeTransportMessage, serializeTransportMessage } from '../../../src/envelope/wire-format.js';
import { CorruptEnvelopeError } from '../../../src/errors/errors.js';

function full(): TransportMessage {
  return {
    messageId: 'id-1',
    messageReceivedId: 'cause-1',
    correlationId: 'corr-1',
    senderInboxWorkQueueUri: 'memory://a',
    recipientInboxWorkQueueUri: 'memory://b',
    principalIdentityName: 'alice',
    ignoreTillDate: Date.parse('2026-01-02T03:04:05.006Z'),
    expiryDate: Date.parse('2026-02-02T03:04:05.006Z'),
    sendDate: Date.parse('2026-01-01T00:00:00.000Z'),
    priority: 3,
    failureMessages: ['one', 'two'],
    messageType: 'x.Y',
    encryptionAlgorithm: 'aes-256-gcm',
    compressionAlgorithm: 'gzip',
    headers: { a: '1', b: '2' },
    message: Uint8Array.from([0, 1, 2, 250, 255]),
  };
}

const raw = (o: unknown): Uint8Array => Buffer.from(JSON.stringify(o));

describe('envelope wire format', () => {
  it('round-trips every field', () => {
    const tm = full();
    const back = deserializeTransportMessage(serializeTransportMessage(tm));
    expect({ ...back, message: [...back.message] }).to.deep.equal({ ...tm, message: [...tm.message] });
  });

  it('leaves empty fields out, writes dates as ISO strings and the body as base64', () => {
    const tm = emptyTransportMessage();
    tm.messageId = 'm';
    tm.messageType = 't';
    tm.sendDate = Date.parse('2026-11-24T10:00:00.000Z');
    tm.message = Buffer.from('hi');
    const json = JSON.parse(Buffer.from(serializeTransportMessage(tm)).toString()) as Record<string, unknown>;
    expect(json).to.deep.equal({ v: 1, messageId: 'm', messageType: 't', message: 'aGk=', sendDate: '2026-11-24T10:00:00.000Z' });
  });

  it('ignores unknown fields and reads null as absent', () => {
    const tm = deserializeTransportMessage(raw({ messageId: 'm', messageType: 't', message: '', extra: 42, correlationId: null }));
    expect(tm.correlationId).to.equal('');
    expect(tm.message.length).to.equal(0);
  });

  const corrupt: [string, Uint8Array, RegExp][] = [
    ['not JSON', Buffer.from('{nope'), /not JSON/],
    ['not an object', raw([1, 2]), /not a JSON object/],
    ['missing messageId', raw({ messageType: 't', message: '' }), /messageId/],
    ['missing messageType', raw({ messageId: 'm', message: '' }), /messageType/],
    ['keyed by a messageId with NUL', raw({ messageId: 'a\u0000b', messageType: 't', message: '' }), /messageId' holds control character U\+0000/],
    ['keyed by a messageId with a newline', raw({ messageId: 'a\nb', messageType: 't', message: '' }), /U\+000a/],
    ['keyed by a messageId of 201 characters', raw({ messageId: 'x'.repeat(201), messageType: 't', message: '' }), /longer than 200/],
    ['missing body', raw({ messageId: 'm', messageType: 't' }), /'message'/],
    ['bad base64', raw({ messageId: 'm', messageType: 't', message: 'a$b=' }), /base64/],
    ['bad date', raw({ messageId: 'm', messageType: 't', message: '', sendDate: 'yesterday' }), /sendDate/],
    ['wrong type', raw({ messageId: 'm', messageType: 't', message: '', priority: 'high' }), /priority/],
    ['headers not strings', raw({ messageId: 'm', messageType: 't', message: '', headers: { a: 1 } }), /headers/],
    ['failure messages not strings', raw({ messageId: 'm', messageType: 't', message: '', failureMessages: [1] }), /failureMessages/],
  ];
  it('reads a messageId of 200 characters, and any printable text in it', () => {
    for (const id of ['x'.repeat(200), "o'brien {a,\"b\"} \\ ünïcödé"]) {
      expect(deserializeTransportMessage(raw({ messageId: id, messageType: 't', message: '' })).messageId).to.equal(id);
    }
  });

  for (const [what, bytes, reason] of corrupt) {
    it(`rejects an envelope that is ${what} with CorruptEnvelopeError`, () => {
      expect(() => deserializeTransportMessage(bytes)).to.throw(CorruptEnvelopeError, reason);
    });
  }
});
