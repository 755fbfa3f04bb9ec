import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { Aes256GcmEncryption } from '../../../src/codecs/aes256gcm-encryption.js';
import { CodecRegistry } from '../../../src/codecs/codec-registry.js';
import { GzipCompression } from '../../../src/codecs/gzip-compression.js';
import { ConfigurationError, MessageDeserializationError } from '../../../src/errors/errors.js';
import { JsonSerializer } from '../../../src/serialization/json-serializer.js';

const key = () => randomBytes(32).toString('base64');

describe('codecs and serializer', () => {
  const gzip = new GzipCompression();
  const ring = { currentKeyId: 'k1', keys: { k1: key() } };

  it('gzip round-trips and rejects bytes that are not gzip', () => {
    const data = Buffer.from('abc'.repeat(100));
    const packed = gzip.compress(data);
    expect(packed.length).to.be.lessThan(data.length);
    expect(Buffer.from(gzip.decompress(packed, 1024)).equals(data)).to.equal(true);
    expect(() => gzip.decompress(Buffer.from('plain'), 1024)).to.throw(MessageDeserializationError, /gzip/);
  });

  it('AES-256-GCM round-trips, with a fresh IV each time', () => {
    const aes = new Aes256GcmEncryption(ring);
    const data = Buffer.from('secret');
    const a = aes.encrypt(data);
    const b = aes.encrypt(data);
    expect(Buffer.from(a).equals(Buffer.from(b))).to.equal(false);
    expect(a.length).to.equal(12 + data.length + 16);
    expect(Buffer.from(aes.decrypt(a, 'k1')).toString()).to.equal('secret');
  });

  it('detects tampering, a wrong key and an unknown key id', () => {
    const aes = new Aes256GcmEncryption(ring);
    const sealed = Buffer.from(aes.encrypt(Buffer.from('secret')));
    sealed[13] = (sealed[13] ?? 0) ^ 1;
    expect(() => aes.decrypt(sealed, 'k1')).to.throw(MessageDeserializationError, /failed authentication/);
    const other = new Aes256GcmEncryption({ currentKeyId: 'k1', keys: { k1: key() } });
    expect(() => other.decrypt(aes.encrypt(Buffer.from('x')), 'k1')).to.throw(MessageDeserializationError, /failed authentication/);
    expect(() => aes.decrypt(aes.encrypt(Buffer.from('x')), 'k9')).to.throw(MessageDeserializationError, /no decryption key with id 'k9'/);
  });

  it('rotates keys: the old key still decrypts, the new one encrypts', () => {
    const old = new Aes256GcmEncryption(ring);
    const sealedOld = old.encrypt(Buffer.from('before'));
    const rotated = new Aes256GcmEncryption({ currentKeyId: 'k2', keys: { ...ring.keys, k2: key() } });
    expect(rotated.keyId).to.equal('k2');
    expect(Buffer.from(rotated.decrypt(sealedOld, 'k1')).toString()).to.equal('before');
    expect(() => old.decrypt(rotated.encrypt(Buffer.from('after')), 'k2')).to.throw(MessageDeserializationError);
  });

  it('rejects keys of the wrong size and a current key that is not in the ring, naming the setting', () => {
    expect(() => new Aes256GcmEncryption({ currentKeyId: 'k', keys: { k: Buffer.alloc(16).toString('base64') } })).to.throw(ConfigurationError, /encryption\.keys\.k/);
    expect(() => new Aes256GcmEncryption({ currentKeyId: 'x', keys: { k: key() } })).to.throw(ConfigurationError, /encryption\.currentKeyId/);
  });

  it('the registry finds algorithms by name; unknown names are a message error on receive, a setting error at start', () => {
    const codecs = new CodecRegistry([new Aes256GcmEncryption(ring)]);
    expect(codecs.compression('gzip').name).to.equal('gzip');
    expect(codecs.encryption('aes-256-gcm').keyId).to.equal('k1');
    expect(() => codecs.compression('zstd')).to.throw(MessageDeserializationError, /'zstd'/);
    expect(() => codecs.encryption('rot13', 'encryption')).to.throw(ConfigurationError, /encryption: no encryption algorithm named 'rot13'/);
  });

  it('JSON serializer round-trips and rejects bad UTF-8 or JSON with the reason', () => {
    const json = new JsonSerializer();
    expect(json.deserialize(json.serialize({ a: [1, 'b'] }))).to.deep.equal({ a: [1, 'b'] });
    expect(() => json.deserialize(Buffer.from([0xc3, 0x28]))).to.throw(MessageDeserializationError, /UTF-8/);
    expect(() => json.deserialize(Buffer.from('{"a":'))).to.throw(MessageDeserializationError, /JSON/);
  });
});
