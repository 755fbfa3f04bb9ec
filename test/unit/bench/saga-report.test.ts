import { expect } from 'chai';
import { sagaSection } from '../../bench/saga-report.js';

/** One run of a case: `rate` per second over 1000 units, CPU per unit as given. */
const run = (name: string, rate: number, cpu: { nodeUs: number; databaseUs?: number; ownDatabaseUs?: number }, extra: object = {}) => ({
  case: name,
  messages: 1000,
  ms: (1000 / rate) * 1000,
  cpu,
  ...extra,
});

describe('bench saga section: the ratios and verdicts of issue 27', () => {
  it('compares a saga step (a third of an instance) with a plain message, and oncebus instances/s with DBOS', () => {
    const groups = new Map([
      // 300 µs per instance = 100 per step; a plain message 50 → 2.00×, over the 1.5 target.
      ['saga x64', [run('saga', 300, { nodeUs: 200, ownDatabaseUs: 100 }, { reruns: 2 })]],
      ['dbos-saga x10', [run('dbos-saga', 200, { nodeUs: 1000, ownDatabaseUs: 2000 })]],
      ['postgres-queue-batch x64', [run('postgres-queue-batch', 5000, { nodeUs: 30, ownDatabaseUs: 20 })]],
    ]);
    const text = sagaSection(groups);
    expect(text).to.contain('≤ 1.5: 2.00× (**not met**), same round 2.00× (**not met**)');
    expect(text).to.contain('≥ 1.0: 1.50× (met), same round 1.50× (met)');
    expect(text).to.contain("DBOS Transact's CPU per instance ÷ oncebus saga's (Node + PostgreSQL), same round: 10.00×");
    expect(text).to.contain('| 200 / 100 / 300 | 100 |');
    expect(text).to.contain('2 handler re-runs');
  });

  it("charges the database with the case's own backends when measured, not the whole server", () => {
    const groups = new Map([
      ['saga x64', [run('saga', 300, { nodeUs: 200, databaseUs: 9000, ownDatabaseUs: 100 })]],
      ['postgres-queue-batch x64', [run('postgres-queue-batch', 5000, { nodeUs: 30, databaseUs: 5 })]],
    ]);
    const text = sagaSection(groups);
    expect(text).to.contain('| 200 / 100 / 300 |');
    // Without its own backends measured, the plain case falls back to the server's whole CPU.
    expect(text).to.contain('≤ 1.5: 2.86× (**not met**)');
  });

  it('says what was not measured instead of a ratio, and is empty when neither saga case ran', () => {
    const onlyOncebus = sagaSection(new Map([['saga x64', [run('saga', 300, { nodeUs: 200 })]]]));
    expect(onlyOncebus).to.contain('| DBOS Transact 5 (durable workflow, send/recv) | not measured |');
    expect(onlyOncebus).to.contain('DBOS Transact instances/s ≥ 1.0: not measured');
    expect(sagaSection(new Map([['postgres-queue-batch x64', [run('postgres-queue-batch', 5000, { nodeUs: 30 })]]]))).to.equal('');
  });
});
