import { expect } from 'chai';
import { maskConnectionString } from '../../../src/stores/postgres/index.js';
import { maskSecrets } from '../../../src/secrets/mask-secrets.js';

describe('maskConnectionString (oncebus/postgres) keeps its name for the one masking function', () => {
  it('is maskSecrets: a libpq string and a URL lose their passwords', () => {
    expect(maskConnectionString).to.equal(maskSecrets);
    expect(maskConnectionString('postgres://app:s3cret@db:5432/orders')).to.equal('postgres://app:***@db:5432/orders');
    expect(maskConnectionString('host=db user=app password=s3cret')).to.equal('host=db user=app password=***');
  });
});
