import { expect } from 'chai';
import { parseIsoDate } from '../../../src/envelope/wire-format.js';

/** Date.parse's answer, NaN included (NaN !== NaN). */
const sameAsDateParse = (s: string): boolean => {
  const fast = parseIsoDate(s);
  const reference = Date.parse(s);
  return fast === reference || (Number.isNaN(fast) && Number.isNaN(reference));
};

/** A small deterministic generator: the same strings on every run. */
function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

describe('envelope dates: the fast ISO-8601 reader', () => {
  it('answers exactly what Date.parse answers on the edges of every field', () => {
    const edges = [
      '2026-12-07T17:17:17.385Z',
      '1970-01-01T00:00:00.000Z',
      '1969-12-31T23:59:59.999Z',
      '9999-12-31T23:59:59.999Z',
      '1000-01-01T00:00:00.000Z',
      '0999-12-31T23:59:59.999Z',
      '0000-01-01T00:00:00.000Z',
      '2024-02-29T12:00:00.000Z',
      '2026-02-29T12:00:00.000Z', // rolls over into March, as in Date.parse
      '2026-02-31T00:00:00.000Z',
      '2026-04-31T00:00:00.000Z',
      '2100-02-29T00:00:00.000Z',
      '2000-02-29T00:00:00.000Z',
      '2026-00-10T00:00:00.000Z',
      '2026-13-10T00:00:00.000Z',
      '2026-12-00T00:00:00.000Z',
      '2026-12-32T00:00:00.000Z',
      '2026-12-01T24:00:00.000Z',
      '2026-12-01T24:00:00.001Z',
      '2026-12-01T23:60:00.000Z',
      '2026-12-01T23:59:60.000Z',
      '2026-12-01T23:59:59.99Z',
      '2026-12-01T23:59:59Z',
      '2026-12-01T23:59:59.000+01:00',
      '2026-12-01 23:59:59.000Z',
      '2026-12-01T23:59:59.000z',
      '+002026-12-01T23:59:59.000Z',
      '2026-12-0xT23:59:59.000Z',
      '2026-12-01T23:5 :59.000Z',
      '-026-12-01T23:59:59.000Z',
      'Mon, 07 Dec 2026 17:17:17 GMT',
      '',
      'not a date at all, 24 ch',
    ];
    for (const s of edges) expect(sameAsDateParse(s), s).to.equal(true);
  });

  it('answers exactly what Date.parse answers on 200,000 generated strings, valid and damaged', () => {
    const random = lcg(30);
    const two = (n: number) => String(n).padStart(2, '0');
    const mismatches: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      let s: string;
      if (i % 2 === 0) {
        s = new Date(Math.floor((random() * 2 - 0.3) * 2.5e14)).toISOString();
      } else {
        // Every field drawn a little past its range.
        s = `${String(Math.floor(random() * 10_000)).padStart(4, '0')}-${two(Math.floor(random() * 14))}-${two(Math.floor(random() * 33))}T${two(Math.floor(random() * 26))}:${two(Math.floor(random() * 62))}:${two(Math.floor(random() * 62))}.${String(Math.floor(random() * 1000)).padStart(3, '0')}Z`;
      }
      if (i % 3 === 0) {
        const at = Math.floor(random() * s.length);
        s = s.slice(0, at) + String.fromCharCode(32 + Math.floor(random() * 64)) + s.slice(at + 1);
      }
      if (!sameAsDateParse(s)) mismatches.push(s);
    }
    expect(mismatches).to.deep.equal([]);
  });
});
