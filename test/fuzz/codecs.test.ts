import { expect } from 'chai';
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { Aes256GcmEncryption } from '../../src/codecs/aes256gcm-encryption.js';
import { CodecRegistry } from '../../src/codecs/codec-registry.js';
import { GzipCompression } from '../../src/codecs/gzip-compression.js';
import { check, PROPERTY_TIMEOUT_MS, typedOrResult } from './fuzz-runs.js';

const gzip = new GzipCompression();
const codecs = new CodecRegistry();
const keys = { old: Buffer.alloc(32, 1).toString('base64'), current: Buffer.alloc(32, 2).toString('base64') };
const aes = new Aes256GcmEncryption({ currentKeyId: 'current', keys });

/** Bytes with a few of them changed, inserted or cut: what a corrupted or hostile copy of valid data looks like. */
function mutated(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(valid, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'cut')), { minLength: 1, maxLength: 4 }))
    .map(([bytes, edits]) => {
      let out = Buffer.from(bytes);
      for (const [at, byte, edit] of edits) {
        const i = out.length === 0 ? 0 : at % out.length;
        if (edit === 'set' && out.length > 0) out[i] = byte;
        else if (edit === 'insert') out = Buffer.concat([out.subarray(0, i), Buffer.from([byte]), out.subarray(i)]);
        else out = Buffer.concat([out.subarray(0, i), out.subarray(i + 1)]);
      }
      return out;
    });
}

const plain = fc.oneof(fc.uint8Array({ maxLength: 2048 }), fc.nat({ max: 16 * 1024 }).map((n) => new Uint8Array(n)));
const gzipped = plain.map((p) => new Uint8Array(gzipSync(p)));

describe('fuzz: the codecs (gzip, AES-256-GCM) decode any body without a surprise', function () {
  this.timeout(PROPERTY_TIMEOUT_MS);

  it('gzip: any bytes inflate to at most the limit, or throw a typed oncebus error', async () => {
    await check(fc.tuple(fc.oneof(fc.uint8Array({ maxLength: 1024 }), gzipped, mutated(gzipped)), fc.nat({ max: 24 * 1024 })), ([input, limit]) => {
      const out = typedOrResult(() => gzip.decompress(input, limit));
      if (out) expect(out.byteLength).to.be.at.most(limit);
      const viaRegistry = typedOrResult(() => codecs.decompress('gzip', input, limit));
      if (viaRegistry) expect(viaRegistry.byteLength).to.be.at.most(limit);
    });
  });

  it('gzip: inflates what it compressed exactly when it fits the limit', async () => {
    await check(fc.tuple(plain, fc.nat({ max: 20 * 1024 })), ([data, limit]) => {
      const out = typedOrResult(() => gzip.decompress(gzip.compress(data), limit));
      if (data.byteLength <= limit) expect(out && Buffer.from(out).equals(Buffer.from(data))).to.equal(true);
      else expect(out).to.equal(undefined);
    });
  });

  it('AES-256-GCM: any bytes under any key id decrypt to no more than they are, or throw a typed oncebus error', async () => {
    await check(fc.tuple(fc.uint8Array({ maxLength: 512 }), fc.oneof(fc.constantFrom('old', 'current'), fc.string({ maxLength: 8 }))), ([input, keyId]) => {
      const out = typedOrResult(() => aes.decrypt(input, keyId));
      if (out) expect(out.byteLength).to.be.at.most(input.byteLength);
    });
  });

  it('AES-256-GCM: a changed ciphertext never decrypts (to anything), an unchanged one always does', async () => {
    const sealed = fc.uint8Array({ maxLength: 512 }).map((p) => ({ plain: p, sealed: new Uint8Array(aes.encrypt(p)) }));
    await check(fc.tuple(sealed, fc.boolean()), ([{ plain: p, sealed: s }, tamper]) => {
      if (!tamper) {
        expect(Buffer.from(aes.decrypt(s, 'current')).equals(Buffer.from(p))).to.equal(true);
        return;
      }
      const copy = Buffer.from(s);
      copy[(p.length * 7) % copy.length]! ^= 1 + (p.length % 255);
      expect(typedOrResult(() => aes.decrypt(copy, 'current'))).to.equal(undefined);
    });
  });
});
