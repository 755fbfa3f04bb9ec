import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import { CodecRegistry } from '../../../src/codecs/codec-registry.js';
import type { ICompressionAlgorithm } from '../../../src/codecs/compression.js';
import { GzipCompression } from '../../../src/codecs/gzip-compression.js';
import { DEFAULT_MAX_MESSAGE_SIZE } from '../../../src/envelope/message-limits.js';
import { OncebusError } from '../../../src/errors/oncebus-error.js';

const codeOf = (run: () => unknown): string => {
  try {
    run();
    return 'accepted';
  } catch (error) {
    return OncebusError.is(error) ? error.code : `not an oncebus error: ${String(error)}`;
  }
};

describe('decompression is bounded: a body never inflates past the limit', () => {
  const gzip = new GzipCompression();

  it('inflates up to the limit, and refuses one byte more as too large', () => {
    const data = gzipSync(Buffer.alloc(10_000, 7));
    expect(gzip.decompress(data, 10_000)).to.have.length(10_000);
    expect(codeOf(() => gzip.decompress(data, 9_999))).to.equal('ONCEBUS_MESSAGE_TOO_LARGE');
  });

  // Found by the fuzz suite (test/fuzz/codecs.test.ts): zlib cannot be given a limit below 1 byte, so a
  // limit of 0 let one byte through.
  it('a limit of 0 admits an empty body only', () => {
    expect(gzip.decompress(gzipSync(Buffer.alloc(0)), 0)).to.have.length(0);
    expect(codeOf(() => gzip.decompress(gzipSync(Buffer.alloc(1)), 0))).to.equal('ONCEBUS_MESSAGE_TOO_LARGE');
  });

  it('stops a bomb at the default limit (4 MiB), the default maxMessageSize', () => {
    const bomb = gzipSync(Buffer.alloc(DEFAULT_MAX_MESSAGE_SIZE + 1));
    expect(bomb.length).to.be.below(16 * 1024);
    expect(codeOf(() => gzip.decompress(bomb, DEFAULT_MAX_MESSAGE_SIZE))).to.equal('ONCEBUS_MESSAGE_TOO_LARGE');
  });

  it('still tells bytes that are not gzip apart (deserialization, not size)', () => {
    expect(codeOf(() => gzip.decompress(Buffer.from('not gzip'), 100))).to.equal('ONCEBUS_DESERIALIZATION');
    expect(codeOf(() => gzip.decompress(new Uint8Array(0), 100))).to.equal('ONCEBUS_DESERIALIZATION');
  });

  it('the registry bounds the input, and the output of an algorithm that ignores its limit', () => {
    const careless: ICompressionAlgorithm = { name: 'careless', compress: (d) => d, decompress: () => new Uint8Array(101) };
    const codecs = new CodecRegistry([careless]);
    expect(codeOf(() => codecs.decompress('careless', new Uint8Array(10), 100))).to.equal('ONCEBUS_MESSAGE_TOO_LARGE');
    expect(codeOf(() => codecs.decompress('careless', new Uint8Array(10), 101))).to.equal('accepted');
    expect(codeOf(() => codecs.decompress('gzip', new Uint8Array(101), 100))).to.equal('ONCEBUS_MESSAGE_TOO_LARGE');
    expect(codeOf(() => codecs.decompress('zstd', new Uint8Array(1), 100))).to.equal('ONCEBUS_DESERIALIZATION');
  });
});
