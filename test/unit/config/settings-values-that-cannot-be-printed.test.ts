import { expect } from 'chai';
import { parseDuration } from '../../../src/config/duration.js';
import { resolveEndpointOptions } from '../../../src/config/resolved-options.js';
import type { EndpointOptions } from '../../../src/config/endpoint-options.js';
import { OncebusError } from '../../../src/errors/oncebus-error.js';

const inbox = { workQueueUri: 'memory://a', errorQueueUri: 'memory://a-error' };
const messageOf = (run: () => unknown): string => {
  try {
    run();
    return 'accepted';
  } catch (error) {
    return OncebusError.is(error) ? error.message : `not an oncebus error: ${String(error)}`;
  }
};

// Found by the fuzz suite (test/fuzz/settings-loader.test.ts): reporting a bad value printed it with
// JSON.stringify or String, which throw for a bigint, a cycle or an object without a prototype, so the
// user got a TypeError instead of the setting's name and what is wrong with it.
describe('settings: a bad value is reported, whatever it is', () => {
  it('a bigint', () => {
    expect(messageOf(() => resolveEndpointOptions({ inbox: { ...inbox, threadCount: 4n } } as unknown as EndpointOptions))).to.match(/inbox\.threadCount: must be a number, got 4n/);
  });

  it('an object that refers to itself', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(messageOf(() => resolveEndpointOptions({ inbox, name: cyclic } as unknown as EndpointOptions))).to.match(/name: .*got \[object Object\]/);
  });

  it('an object without a prototype, as a duration', () => {
    expect(messageOf(() => parseDuration(Object.create(null) as string, 'stopTimeout'))).to.match(/^stopTimeout: \{\} is not a duration/);
  });

  it('a huge value is cut short in the message', () => {
    const message = messageOf(() => resolveEndpointOptions({ inbox: { ...inbox, threadCount: 'x'.repeat(10_000) } } as unknown as EndpointOptions));
    expect(message).to.match(/inbox\.threadCount: must be a number, got "x+…/);
    expect(message.length).to.be.below(2_000);
  });
});
