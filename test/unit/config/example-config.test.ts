import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import type { EndpointOptions } from '../../../src/config/endpoint-options.js';
import { resolveEndpointOptions } from '../../../src/config/resolved-options.js';
import { loadEndpointSettings } from '../../../src/config/load-endpoint-options.js';

const EXAMPLE = fileURLToPath(new URL('../../../../config/sales-endpoint.json', import.meta.url));

describe('config/sales-endpoint.json (the example endpoint configuration)', () => {
  it('loads and resolves, with environment overrides applied', () => {
    const settings = loadEndpointSettings(EXAMPLE, { ONCEBUS_INBOX__THREAD_COUNT: '8', ONCEBUS_IDEMPOTENCE: 'false' });
    // Typed: the loaded settings spread into EndpointOptions with the classes from code, no cast.
    const options: EndpointOptions = { ...settings, handlers: [] };
    const resolved = resolveEndpointOptions(options);
    expect(resolved.name).to.equal('sales');
    expect(resolved.inbox?.threadCount).to.equal(8);
    expect(resolved.idempotence).to.equal(false);
    expect(resolved.inbox?.durationToIgnoreOnFailure).to.deep.equal([1000, 5000, 30_000, 120_000]);
    expect(resolved.stopTimeoutMs).to.equal(30_000);
  });
});
