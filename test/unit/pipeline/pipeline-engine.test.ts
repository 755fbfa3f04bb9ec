import { expect } from 'chai';
import { PipelineDefinitionError } from '../../../src/errors/errors.js';
import { PIPELINE_END_EVENT, PIPELINE_EXCEPTION_EVENT, PipelineBuilder, type IPipelineObserver, type PipelineState, type UniformStates } from '../../../src/pipeline/pipeline.js';

class TestState implements PipelineState {
  aborted = false;
  exception: unknown = undefined;
  exceptionHandled = false;
  readonly trail: string[] = [];
}

type Events = 'a' | 'b' | 'c' | 'd';
type States = UniformStates<Events, TestState>;
const observer = (event: string, execute: (s: TestState) => void | Promise<void>) => ({ event, name: event, execute }) as IPipelineObserver<TestState, Events>;
const stages = [
  { name: 'one', events: ['a', 'b'] },
  { name: 'two', events: ['c'] },
] as const;
const builder = () => new PipelineBuilder<States>('t', stages);

describe('pipeline engine', () => {
  it('runs observers in stage, event and registration order, sync and async alike', async () => {
    const p = builder()
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
    const p = builder()
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
    const p = builder()
      .addObserver(observer('b', (s) => { s.trail.push('b1'); s.aborted = true; }))
      .addObserver(observer('c', (s) => void s.trail.push('c1')))
      .build();
    const s = new TestState();
    await p.execute(s);
    expect(s.trail).to.deep.equal(['b1']);
  });

  it('honours an abort set on an event followed by events without observers', async () => {
    const p = new PipelineBuilder<States>('t', [{ name: 's', events: ['a', 'b', 'c', 'd'] }])
      .addObserver(observer('a', (s) => { s.trail.push('a1'); s.aborted = true; }))
      .addObserver(observer('d', (s) => void s.trail.push('d1')))
      .build();
    const s = new TestState();
    await p.execute(s);
    expect(s.trail).to.deep.equal(['a1']);
  });

  it('runs the exception observers and ends quietly when one handles the error', async () => {
    const p = builder()
      .addObserver(observer('a', () => { throw new Error('x'); }))
      .addObserver(observer('b', (s) => void s.trail.push('b1')))
      .addObserver(observer(PIPELINE_EXCEPTION_EVENT, (s) => { s.trail.push(`caught ${(s.exception as Error).message}`); s.exceptionHandled = true; }))
      .build();
    const s = new TestState();
    await p.execute(s);
    expect(s.trail).to.deep.equal(['caught x']);
  });

  it('rethrows when no exception observer handles the error', async () => {
    const p = builder().addObserver(observer('b', async () => { throw new Error('y'); })).build();
    let error: unknown;
    await p.execute(new TestState()).catch((e: unknown) => { error = e; });
    expect((error as Error).message).to.equal('y');
  });

  it('rejects an unknown event, a duplicate observer and a duplicate event at build time', () => {
    const b = builder();
    expect(() => b.addObserver(observer('nope', () => undefined))).to.throw(PipelineDefinitionError, /unknown event 'nope'/);
    const o = observer('a', () => undefined);
    b.addObserver(o);
    expect(() => b.addObserver(o)).to.throw(PipelineDefinitionError, /added twice/);
    expect(() => new PipelineBuilder<States>('t', [{ name: 's', events: ['a', 'a'] }])).to.throw(PipelineDefinitionError, /appears twice/);
  });
});

describe('pipeline engine: around steps', () => {
  const four = [{ name: 's', events: ['a', 'b', 'c', 'd'] }] as const;
  const build = () => new PipelineBuilder<States>('t', four);
  const trail = (event: Events, what: string = event) => observer(event, (s) => void s.trail.push(what));
  const around = (name: string, at: Events, through?: Events) => ({
    around: at,
    through,
    name,
    run: async (s: TestState, next: () => Promise<void>) => {
      s.trail.push(`${name}(`);
      try {
        await next();
      } finally {
        s.trail.push(`)${name}`);
      }
    },
  });

  it('wraps its event through `through`, and the later events run after it', async () => {
    const p = build().addObserver(trail('a')).addObserver(trail('b')).addObserver(trail('c')).addAroundStep(around('x', 'b', 'b')).build();
    const s = new TestState();
    await p.execute(s);
    expect(s.trail).to.deep.equal(['a', 'x(', 'b', ')x', 'c']);
  });

  it('without `through` wraps the rest: the later events, the failure handling and the end observers', async () => {
    const p = build()
      .addObserver(trail('a'))
      .addObserver(observer('c', () => { throw new Error('boom'); }))
      .addObserver(trail('d'))
      .addObserver(observer(PIPELINE_EXCEPTION_EVENT, (s) => { s.trail.push('handled'); s.exceptionHandled = true; }))
      .addObserver(trail(PIPELINE_END_EVENT as Events, 'end'))
      .addAroundStep(around('span', 'b'))
      .build();
    const s = new TestState();
    await p.execute(s);
    expect(s.trail).to.deep.equal(['a', 'span(', 'handled', 'end', ')span']);
  });

  it('runs the failure handling and the end observers once, and outside, when the failure comes before the step', async () => {
    const p = build()
      .addObserver(observer('a', () => { throw new Error('early'); }))
      .addObserver(observer(PIPELINE_EXCEPTION_EVENT, (s) => { s.trail.push('handled'); s.exceptionHandled = true; }))
      .addObserver(trail(PIPELINE_END_EVENT as Events, 'end'))
      .addAroundStep(around('span', 'b'))
      .build();
    const s = new TestState();
    await p.execute(s);
    expect(s.trail).to.deep.equal(['handled', 'end']);
  });

  it('nests steps on one event in registration order, the first outermost, and lets a failure inside a range reach the step', async () => {
    const seen: unknown[] = [];
    const p = build()
      .addObserver(observer('b', () => { throw new Error('in b'); }))
      .addObserver(observer(PIPELINE_EXCEPTION_EVENT, (s) => { s.trail.push('handled'); s.exceptionHandled = true; }))
      .addAroundStep(around('outer', 'b', 'c'))
      .addAroundStep({ around: 'b', through: 'b', name: 'inner', run: (_s, next) => next().catch((e: unknown) => { seen.push((e as Error).message); throw e; }) })
      .build();
    const s = new TestState();
    await p.execute(s);
    expect(seen).to.deep.equal(['in b']);
    expect(s.trail).to.deep.equal(['outer(', ')outer', 'handled']);
  });

  it('honours an abort inside its range: the rest of the pipeline does not run, the step\'s teardown does', async () => {
    const p = build()
      .addObserver(observer('b', (s) => { s.trail.push('b'); s.aborted = true; }))
      .addObserver(trail('c'))
      .addObserver(trail('d'))
      .addAroundStep(around('x', 'b', 'c'))
      .build();
    const s = new TestState();
    await p.execute(s);
    expect(s.trail).to.deep.equal(['x(', 'b', ')x']);
  });

  it('ends the execution where a step does not call next(); the end observers still close it', async () => {
    const p = build()
      .addObserver(trail('c'))
      .addObserver(trail(PIPELINE_END_EVENT as Events, 'end'))
      .addAroundStep({ around: 'b', name: 'gate', run: async (s) => void s.trail.push('gate') })
      .build();
    const s = new TestState();
    await p.execute(s);
    expect(s.trail).to.deep.equal(['gate', 'end']);
  });

  it('runs what a step would wrap as if it were not there when the step declines (returns nothing, next() not called)', async () => {
    const declining = (name: string, at: Events, through?: Events) => ({ around: at, through, name, run: (s: TestState) => void s.trail.push(name) });
    const p = build()
      .addObserver(trail('b'))
      .addObserver(observer('c', () => { throw new Error('in c'); }))
      .addObserver(observer(PIPELINE_EXCEPTION_EVENT, (s) => { s.trail.push('handled'); s.exceptionHandled = true; }))
      .addObserver(trail(PIPELINE_END_EVENT as Events, 'end'))
      .addAroundStep(declining('rest', 'a'))
      .addAroundStep(declining('range', 'b', 'c'))
      .build();
    const s = new TestState();
    await p.execute(s);
    expect(s.trail).to.deep.equal(['rest', 'range', 'b', 'handled', 'end']);
  });

  it('refuses next() called twice', async () => {
    const p = build()
      .addObserver(trail('c'))
      .addAroundStep({ around: 'b', through: 'c', name: 'twice', run: async (_s, next) => { await next(); await next(); } })
      .build();
    let error: unknown;
    await p.execute(new TestState()).catch((e: unknown) => { error = e; });
    expect(error).to.be.instanceOf(PipelineDefinitionError);
    expect((error as Error).message).to.match(/next\(\) twice/);
  });

  it('refuses at build time a step that reaches past the end of one it starts inside, and one ending before its event', () => {
    expect(() => build().addAroundStep(around('outer', 'a', 'b')).addAroundStep(around('inner', 'b', 'c')).build()).to.throw(PipelineDefinitionError, /reaches past the end/);
    expect(() => build().addAroundStep(around('outer', 'a', 'b')).addAroundStep(around('rest', 'b')).build()).to.throw(PipelineDefinitionError, /reaches past the end/);
    expect(() => build().addAroundStep(around('back', 'c', 'a')).build()).to.throw(PipelineDefinitionError, /before its event/);
    expect(() => build().addAroundStep(around('nope', 'z' as Events))).to.throw(PipelineDefinitionError, /unknown event 'z'/);
  });

  it('runs synchronous observers without awaiting them, around steps elsewhere in the pipeline or not', async () => {
    const p = build().addObserver(trail('a')).addObserver(trail('d')).addAroundStep(around('x', 'b', 'c')).build();
    const s = new TestState();
    const done = p.execute(s);
    // Before execute() returned: the observer of 'a' and the step's setup ran; the rest waits for its range.
    expect(s.trail).to.deep.equal(['a', 'x(']);
    await done;
    expect(s.trail).to.deep.equal(['a', 'x(', ')x', 'd']);
  });
});
