import { expect } from 'chai';
import { emptyTransportMessage } from '../../../src/envelope/transport-message.js';
import { DEFAULT_MAX_MESSAGE_SIZE, MAX_HEADER_COUNT, MAX_HEADERS_LENGTH } from '../../../src/envelope/message-limits.js';
import { deserializeTransportMessage, serializeTransportMessage } from '../../../src/envelope/wire-format.js';
import { OncebusError } from '../../../src/errors/oncebus-error.js';

function envelope(headers: Record<string, string> = {}, body = new Uint8Array(0)): Uint8Array {
  const tm = emptyTransportMessage();
  tm.messageId = 'id-1';
  tm.messageType = 'x.Y';
  tm.headers = headers;
  tm.message = body;
  return serializeTransportMessage(tm);
}

function refusal(run: () => unknown): { code: string; kind: string; message: string } {
  try {
    run();
  } catch (error) {
    if (OncebusError.is(error)) return { code: error.code, kind: error.kind, message: error.message };
    throw error;
  }
  throw new Error('accepted');
}

describe('envelope limits: what a sender cannot make an endpoint hold', () => {
  it('refuses an envelope over maxMessageSize before parsing it, as unreadable', () => {
    const bytes = envelope({}, new Uint8Array(3000));
    expect(() => deserializeTransportMessage(bytes, { maxMessageSize: bytes.byteLength })).to.not.throw();
    const r = refusal(() => deserializeTransportMessage(bytes, { maxMessageSize: bytes.byteLength - 1 }));
    expect(r).to.include({ code: 'ONCEBUS_MESSAGE_TOO_LARGE', kind: 'unreadable' });
    expect(r.message).to.match(new RegExp(`envelope is ${bytes.byteLength} bytes, larger than ${bytes.byteLength - 1} bytes`));
  });

  it('refuses bytes over the default (4 MiB) even when they are not JSON: size is checked first', () => {
    const r = refusal(() => deserializeTransportMessage(new Uint8Array(DEFAULT_MAX_MESSAGE_SIZE + 1)));
    expect(r.code).to.equal('ONCEBUS_MESSAGE_TOO_LARGE');
  });

  it(`reads ${MAX_HEADER_COUNT} headers and refuses one more`, () => {
    const headers = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`h${i}`, 'v']));
    expect(Object.keys(deserializeTransportMessage(envelope(headers(MAX_HEADER_COUNT))).headers)).to.have.length(MAX_HEADER_COUNT);
    const r = refusal(() => deserializeTransportMessage(envelope(headers(MAX_HEADER_COUNT + 1))));
    expect(r).to.include({ code: 'ONCEBUS_MESSAGE_TOO_LARGE', kind: 'unreadable' });
    expect(r.message).to.contain(`${MAX_HEADER_COUNT + 1} headers`);
  });

  it(`reads headers of ${MAX_HEADERS_LENGTH} characters together and refuses more`, () => {
    const fits = { a: 'x'.repeat(MAX_HEADERS_LENGTH - 1) };
    expect(deserializeTransportMessage(envelope(fits)).headers.a).to.have.length(MAX_HEADERS_LENGTH - 1);
    const r = refusal(() => deserializeTransportMessage(envelope({ a: 'x'.repeat(MAX_HEADERS_LENGTH) })));
    expect(r.code).to.equal('ONCEBUS_MESSAGE_TOO_LARGE');
    expect(r.message).to.contain(`more than ${MAX_HEADERS_LENGTH}`);
  });
});
