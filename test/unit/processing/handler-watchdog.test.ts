import { expect } from 'chai';
import { HandlerWatchdog } from '../../../src/processing/handler-watchdog.js';

const outcomeOf = (p: Promise<void>): Promise<string> =>
  p.then(
    () => 'resolved',
    (e: unknown) => `rejected: ${e instanceof Error ? e.message : String(e)}`,
  );

describe('HandlerWatchdog: what the pipeline awaits for a handler', () => {
  it('resolves for a handler that returns synchronously, and forgets it (stop has nothing to give up)', async () => {
    const watchdog = new HandlerWatchdog(60_000, Date.now);
    expect(await outcomeOf(watchdog.watch('m1', () => undefined))).to.equal('resolved');
    let aborted = false;
    watchdog.abortAll(new Error('stopping'));
    await outcomeOf(
      watchdog.watch('m2', (w) => {
        aborted = w.signal.aborted;
      }),
    );
    expect(aborted, 'a handler started after stop gave up is born aborted').to.equal(true);
  });

  it('rejects with what a synchronous handler throws', async () => {
    const watchdog = new HandlerWatchdog(60_000, Date.now);
    expect(
      await outcomeOf(
        watchdog.watch('m1', () => {
          throw new Error('boom');
        }),
      ),
    ).to.equal('rejected: boom');
  });

  it("rejects with stop's reason a synchronous handler given up while it ran, whatever it did after", async () => {
    const watchdog = new HandlerWatchdog(60_000, Date.now);
    const returned = watchdog.watch('m1', () => watchdog.abortAll(new Error('gave up')));
    const threw = watchdog.watch('m2', () => {
      watchdog.abortAll(new Error('gave up again'));
      throw new Error('late throw');
    });
    expect(await outcomeOf(returned)).to.equal('rejected: gave up');
    expect(await outcomeOf(threw)).to.equal('rejected: gave up again');
  });

  it('settles an asynchronous handler by its end, and rejects one given up before it ends', async () => {
    const watchdog = new HandlerWatchdog(60_000, Date.now);
    expect(await outcomeOf(watchdog.watch('m1', async () => undefined))).to.equal('resolved');
    expect(
      await outcomeOf(
        watchdog.watch('m2', async () => {
          throw new Error('async boom');
        }),
      ),
    ).to.equal('rejected: async boom');
    let finish!: () => void;
    const hung = watchdog.watch('m3', () => new Promise<void>((r) => (finish = r)));
    watchdog.abortAll(new Error('stopped'));
    finish();
    expect(await outcomeOf(hung)).to.equal('rejected: stopped');
  });

  it('rejects a handler that outlives its deadline with HandlerTimeoutError and aborts its signal', async () => {
    const watchdog = new HandlerWatchdog(20, Date.now);
    let signal: AbortSignal | undefined;
    const outcome = await outcomeOf(
      watchdog.watch('slow', (w) => {
        signal = w.signal;
        return new Promise<void>(() => undefined);
      }),
    );
    expect(outcome).to.match(/^rejected: the handler did not finish within handlerTimeout/);
    expect(signal?.aborted).to.equal(true);
  });
});
