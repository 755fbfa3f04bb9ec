import { expect } from 'chai';
import { PipelineDefinitionError } from '../../../src/errors/errors.js';
import { PIPELINE_EXCEPTION_EVENT, PipelineBuilder, type IPipelineObserver, type PipelineState } from '../../../src/pipeline/pipeline.js';

class TestState implements PipelineState {
  aborted = false;
  exception: unknown = undefined;
  exceptionHandled = false;
  readonly trail: string[] = [];
}

const observer = (event: string, execute: (s: TestState) => void | Promise<void>): IPipelineObserver<TestState> => ({ event, name: event, execute });
const stages = [
  { name: 'one', events: ['a', 'b'] },
  { name: 'two', events: ['c'] },
];

describe('pipeline engine', () => {
  it('runs observers in stage, event and registration order, sync and async alike', async () => {
    const p = new PipelineBuilder<TestState>('t', stages)
      .addObserver(observer('c', (s) => void s.trail.push('c1')))
      .addObserver(observer('a', async (s) => void s.trail.push('a1')))
      .addObserver(observer('b', (s) => void s.trail.push('b1')))
      .addObserver(observer('a', (s) => void s.trail.push('a2')))
      .build();
    const s = new TestState();
    await p.execute(s);
    expect(s.trail).to.deep.equal(['a1', 'a2', 'b1', 'c1']);
  });

  it('stops after the current event when an observer aborts, running the rest of that event', async () => {
    const p = new PipelineBuilder<TestState>('t', stages)
      .addObserver(observer('a', (s) => { s.trail.push('a1'); s.aborted = true; }))
      .addObserver(observer('a', (s) => void s.trail.push('a2')))
      .addObserver(observer('b', (s) => void s.trail.push('b1')))
      .build();
    const s = new TestState();
    await p.execute(s);
    expect(s.trail).to.deep.equal(['a1', 'a2']);
  });

  it('honours an abort even when the pipeline\'s first event has no observer', async () => {
    // eventEnds[0] is 0 then: the abort check must still advance past empty events.
    const p = new PipelineBuilder<TestState>('t', stages)
      .addObserver(observer('b', (s) => { s.trail.push('b1'); s.aborted = true; }))
      .addObserver(observer('c', (s) => void s.trail.push('c1')))
      .build();
    const s = new TestState();
    await p.execute(s);
    expect(s.trail).to.deep.equal(['b1']);
  });

  it('honours an abort set on an event followed by events without observers', async () => {
    const p = new PipelineBuilder<TestState>('t', [{ name: 's', events: ['a', 'b', 'c', 'd'] }])
      .addObserver(observer('a', (s) => { s.trail.push('a1'); s.aborted = true; }))
      .addObserver(observer('d', (s) => void s.trail.push('d1')))
      .build();
    const s = new TestState();
    await p.execute(s);
    expect(s.trail).to.deep.equal(['a1']);
  });

  it('runs the exception observers and ends quietly when one handles the error', async () => {
    const p = new PipelineBuilder<TestState>('t', stages)
      .addObserver(observer('a', () => { throw new Error('x'); }))
      .addObserver(observer('b', (s) => void s.trail.push('b1')))
      .addObserver(observer(PIPELINE_EXCEPTION_EVENT, (s) => { s.trail.push(`caught ${(s.exception as Error).message}`); s.exceptionHandled = true; }))
      .build();
    const s = new TestState();
    await p.execute(s);
    expect(s.trail).to.deep.equal(['caught x']);
  });

  it('rethrows when no exception observer handles the error', async () => {
    const p = new PipelineBuilder<TestState>('t', stages).addObserver(observer('b', async () => { throw new Error('y'); })).build();
    let error: unknown;
    await p.execute(new TestState()).catch((e: unknown) => { error = e; });
    expect((error as Error).message).to.equal('y');
  });

  it('rejects an unknown event, a duplicate observer and a duplicate event at build time', () => {
    const b = new PipelineBuilder<TestState>('t', stages);
    expect(() => b.addObserver(observer('nope', () => undefined))).to.throw(PipelineDefinitionError, /unknown event 'nope'/);
    const o = observer('a', () => undefined);
    b.addObserver(o);
    expect(() => b.addObserver(o)).to.throw(PipelineDefinitionError, /added twice/);
    expect(() => new PipelineBuilder('t', [{ name: 's', events: ['a', 'a'] }])).to.throw(PipelineDefinitionError, /appears twice/);
  });
});
