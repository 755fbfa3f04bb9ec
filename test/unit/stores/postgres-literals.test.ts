import { expect } from 'chai';
import { StoreError } from '../../../src/errors/errors.js';
import { literal } from '../../../src/stores/postgres/postgres-literals.js';

describe('PostgreSQL literals (parameters written into a simple query)', () => {
  it('writes strings, numbers, nulls and arrays as literals', () => {
    expect(['a', 42, null, undefined, [1, null, -2], ['x', null]].map(literal)).to.deep.equal([
      "'a'",
      '42',
      'NULL',
      'NULL',
      "'{1,NULL,(-2)}'",
      `'{"x",NULL}'`,
    ]);
  });

  it('quotes what a message could carry: quotes, backslashes, braces, commas', () => {
    expect(literal("o'brien")).to.equal("'o''brien'");
    expect(literal('a\\b')).to.equal(" E'a\\\\b'");
    // As an array element: "…" with \ and " escaped, then the whole as a SQL literal.
    expect(literal(['{a,"b"}\\'])).to.equal(` E'{"{a,\\\\"b\\\\"}\\\\\\\\"}'`);
  });

  it('keeps a negative number from turning "- $1" into a comment', () => {
    expect(`SELECT 1 - ${literal(-5)}`).to.equal('SELECT 1 - (-5)');
  });

  it('refuses what it cannot write safely, with a StoreError', () => {
    expect(() => literal('nul\0')).to.throw(StoreError, /NUL/);
    expect(() => literal(Number.NaN)).to.throw(StoreError, /NaN/);
    expect(() => literal(Buffer.from('x'))).to.throw(StoreError, /object/);
    expect(() => literal([{}])).to.throw(StoreError, /array element/);
  });
});
