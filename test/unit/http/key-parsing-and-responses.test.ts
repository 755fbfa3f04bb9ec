import { expect } from 'chai';
import { parseIdempotencyKey } from '../../../src/http/idempotency-key-header.js';
import { resolveIdempotencyOptions } from '../../../src/http/idempotency-options.js';
import { requestFingerprint } from '../../../src/http/request-fingerprint.js';
import { captureResponse, keptHeaders } from '../../../src/http/route-response.js';
import { storedScope } from '../../../src/http/stored-scope.js';

describe('HTTP Idempotency-Key: the header, the fingerprint, the captured response, the options', () => {
  it('reads an sf-string with its escapes and a bare token; refuses what is not one key of 1..255 printable ASCII', () => {
    expect(parseIdempotencyKey(undefined)).to.deep.equal({ kind: 'absent' });
    expect(parseIdempotencyKey('"8e03978e-40d5-43e8-bc93-6894a57f9324"')).to.deep.equal({ kind: 'valid', key: '8e03978e-40d5-43e8-bc93-6894a57f9324' });
    expect(parseIdempotencyKey('  "a \\"quoted\\" \\\\ key"\t')).to.deep.equal({ kind: 'valid', key: 'a "quoted" \\ key' });
    expect(parseIdempotencyKey('bare-token_1.2~')).to.deep.equal({ kind: 'valid', key: 'bare-token_1.2~' });
    expect(parseIdempotencyKey(['only-one'])).to.deep.equal({ kind: 'valid', key: 'only-one' });
    for (const bad of ['', '""', '"open', '"a"b', '"a\\b"', '"tab\there"', 'caf\u00e9', 'two words', 'a,b', 'k'.repeat(256), `"${'k'.repeat(256)}"`, 'x'.repeat(10_000)]) {
      expect(parseIdempotencyKey(bad).kind, JSON.stringify(bad.slice(0, 40))).to.equal('invalid');
    }
    expect(parseIdempotencyKey(['a', 'b'])).to.deep.equal({ kind: 'invalid', reason: 'the request has more than one Idempotency-Key header' });
    expect(parseIdempotencyKey('k'.repeat(255))).to.deep.equal({ kind: 'valid', key: 'k'.repeat(255) });
  });

  it('the fingerprint changes with the method, the path, the query and each body byte, and parts cannot slide into each other', () => {
    const body = Buffer.from('{"a":1}');
    const base = requestFingerprint('POST', '/orders', body);
    expect(base).to.match(/^[0-9a-f]{64}$/);
    expect(requestFingerprint('post', '/orders', body)).to.equal(base);
    for (const other of [
      requestFingerprint('PUT', '/orders', body),
      requestFingerprint('POST', '/orders?x=1', body),
      requestFingerprint('POST', '/orders/', body),
      requestFingerprint('POST', '/orders', Buffer.from('{"a":2}')),
      requestFingerprint('POST', '/orders', Buffer.from('{"a":1} ')),
      requestFingerprint('POS', 'T/orders', body),
    ]) {
      expect(other).to.not.equal(base);
    }
  });

  it('captures a body as the bytes that are sent: JSON, text or bytes, with a content type unless the route gave one', () => {
    const json = captureResponse({ status: 201, body: { id: 1 }, headers: { Location: '/o/1', 'X-Count': 2 } });
    expect(Buffer.from(json.body).toString()).to.equal('{"id":1}');
    expect(json.headers).to.deep.equal({ 'content-type': 'application/json; charset=utf-8', location: '/o/1', 'x-count': '2' });
    expect(captureResponse({ status: 200, body: 'héllo' }).headers['content-type']).to.equal('text/plain; charset=utf-8');
    expect(Buffer.from(captureResponse({ status: 200, body: 'héllo' }).body).length).to.equal(6);
    const bytes = Uint8Array.from([0, 255]);
    expect(captureResponse({ status: 200, body: bytes, headers: { 'content-type': 'image/png' } })).to.deep.equal({ status: 200, headers: { 'content-type': 'image/png' }, body: bytes });
    expect(captureResponse({ status: 204 })).to.deep.equal({ status: 204, headers: {}, body: new Uint8Array(0) });
    for (const bad of [{ status: 99 }, { status: 600 }, { status: 200.5 }, null, { body: 'no status' }]) {
      expect(() => captureResponse(bad as never), JSON.stringify(bad)).to.throw(TypeError, /status from 200 to 599/);
    }
  });

  it('keeps content-type, location and the listed headers only', () => {
    const response = captureResponse({ status: 201, body: {}, headers: { location: '/o/1', 'x-version': '3', 'set-cookie': 'session=secret' } });
    expect(keptHeaders(response, [])).to.deep.equal({ 'content-type': 'application/json; charset=utf-8', location: '/o/1' });
    expect(keptHeaders(response, ['X-Version'])).to.deep.equal({ 'content-type': 'application/json; charset=utf-8', location: '/o/1', 'x-version': '3' });
  });

  it('a long principal is stored as its hash; a short one that looks like a hash is hashed too, so it cannot name another scope', () => {
    expect(storedScope('tenant-1')).to.equal('tenant-1');
    expect(storedScope('')).to.equal('');
    const long = storedScope('t'.repeat(500));
    expect(long).to.match(/^sha256:[0-9a-f]{64}$/);
    expect(storedScope('t'.repeat(501))).to.not.equal(long);
    expect(storedScope(long)).to.not.equal(long);
    expect(() => storedScope(42 as never)).to.throw(TypeError, /must return a string/);
  });

  it('options: defaults, route over base, and refusal of a setting that cannot work', () => {
    expect(resolveIdempotencyOptions()).to.deep.equal({ required: false, leaseMs: 30_000, retentionMs: 86_400_000, waitWhileRunning: 0, storeServerErrors: false, keptHeaders: [] });
    expect(resolveIdempotencyOptions({ leaseMs: 1_000, required: true }, { leaseMs: 2_000, required: undefined })).to.deep.include({ leaseMs: 2_000, required: true });
    expect(() => resolveIdempotencyOptions({ leaseMs: 0 })).to.throw(/leaseMs: must be a positive whole number/);
    expect(() => resolveIdempotencyOptions({ retentionMs: 1_000 })).to.throw(/shorter than leaseMs/);
    expect(() => resolveIdempotencyOptions({ waitWhileRunning: -1 })).to.throw(/waitWhileRunning/);
    expect(() => resolveIdempotencyOptions({ keptHeaders: ['bad header'] })).to.throw(/not a header name/);
  });
});
