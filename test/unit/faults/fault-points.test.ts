import { expect } from 'chai';
import { ConfigurationError } from '../../../src/errors/errors.js';
import { FaultInjectionModule, isFaultPointName } from '../../../src/testing/index.js';

// Fault points are pipeline:event names. A typo used to mean a fault that never struck (a crash test that
// passed without crashing); now it fails when the spec is read, and the compiler checks literal points.
describe('fault points: a typo fails when the spec is read, not silently', () => {
  it('reads a spec naming real pipelines and events', () => {
    expect(FaultInjectionModule.fromSpec('inbox:onAfterCommitUnitOfWork:kill:2,flush:onAfterDeferredMessageSent:throw')).to.be.instanceOf(FaultInjectionModule);
  });

  it('refuses an unknown event, an unknown pipeline, and an event of another pipeline', () => {
    for (const spec of ['inbox:onAfterComitUnitOfWork:kill', 'inbx:onHandleMessage:throw', 'flush:onHandleMessage:throw', 'constructor:onHandleMessage:throw']) {
      expect(() => FaultInjectionModule.fromSpec(spec), spec).to.throw(ConfigurationError, /names no event of a pipeline/);
    }
  });

  it('knows every stage event and nothing else', () => {
    expect(isFaultPointName('outgoing:onDispatchMessage')).to.equal(true);
    expect(isFaultPointName('inbox:onPipelineEnd')).to.equal(false);
    expect(isFaultPointName('startup:onStarted')).to.equal(false);
  });
});
