import { expect } from 'chai';
import { ConfigurationError } from '../../../src/errors/errors.js';
import { RouteTable } from '../../../src/routing/route-table.js';
import { PlaceOrder, ShipOrder } from '../../support/messages.js';

describe('route table', () => {
  const table = new RouteTable([
    { uri: 'memory://types', specifications: [{ types: [ShipOrder, 'other.Named'] }] },
    { uri: 'memory://prefix', specifications: [{ startsWith: 'test.' }] },
    { uri: 'memory://regex', specifications: [{ regex: /^billing\.(Invoice|Refund)$/ }] },
  ]);

  it('routes by type list, prefix and regex; the first matching route wins', () => {
    expect(table.uriFor('test.ShipOrder')).to.equal('memory://types');
    expect(table.uriFor('other.Named')).to.equal('memory://types');
    expect(table.uriFor('test.PlaceOrder')).to.equal('memory://prefix');
    expect(table.uriFor('billing.Refund')).to.equal('memory://regex');
    expect(table.uriFor('billing.Other')).to.equal(null);
  });

  it('answers the same again from its cache', () => {
    expect(table.uriFor('test.PlaceOrder')).to.equal(table.uriFor('test.PlaceOrder'));
    expect(table.uris).to.deep.equal(['memory://types', 'memory://prefix', 'memory://regex']);
  });

  it('rejects a route without a URI or specifications, naming it', () => {
    expect(() => new RouteTable([{ uri: 'nope', specifications: [{ startsWith: 'a' }] }])).to.throw(ConfigurationError, /routes\[0\]\.uri/);
    expect(() => new RouteTable([{ uri: 'memory://a', specifications: [] }])).to.throw(ConfigurationError, /routes\[0\]\.specifications/);
    expect(() => new RouteTable([{ uri: 'memory://a', specifications: [{ types: [class NoName {}] }] }])).to.throw(ConfigurationError, /no message type name/);
    void PlaceOrder;
  });
});
