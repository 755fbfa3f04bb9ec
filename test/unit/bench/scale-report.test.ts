import { expect } from 'chai';
import { existingScaleSection, replaceScaleSection, SCALE_END, SCALE_START, type ScaleResult, scaleSection } from '../../bench/scale-report.js';
import { median } from '../../bench/median.js';

/** One run: `rate` msg/s over 1000 messages, CPU per message as given. */
const run = (extra: Partial<ScaleResult> & Pick<ScaleResult, 'case' | 'experiment'>, rate: number, cpu: ScaleResult['cpu']): ScaleResult => ({
  threads: 100,
  messages: 1000,
  ms: (1000 / rate) * 1000,
  rss: 1,
  round: 1,
  cpu,
  ...extra,
});

const summary = (results: ScaleResult[]) => ({
  when: '2026-12-07T15:40:00.000Z',
  cpus: 2,
  messages: 1000,
  rounds: 1,
  retained: 10_000_000,
  expired: 2_000_000,
  fill: { seconds: 200, tableMb: 1800, indexMb: 1500 },
  purges: [{ round: 1, deleted: 50_000, seconds: 10 }],
  purgeAlone: { rows: 100_000, seconds: 20, ownUsPerRow: 30, serverUsPerRow: 40 },
  results,
});

describe('bench scale section (issue 29)', () => {
  it('gives each process count its speed-up over one process and the cores each party kept busy', () => {
    const text = scaleSection(
      summary([
        run({ case: 'rabbitmq+postgres-gc@1', processes: 1, experiment: 'curve' }, 10_000, { nodeUs: 40, nodeSystemUs: 4, brokerUs: 20, databaseUs: 15, ownDatabaseUs: 12 }),
        run({ case: 'rabbitmq+postgres-gc@2', processes: 2, experiment: 'curve' }, 15_000, { nodeUs: 50, nodeSystemUs: 5, brokerUs: 20, databaseUs: 16, ownDatabaseUs: 12 }),
      ]),
      median,
    );
    expect(text).to.contain('| rabbitmq+postgres-gc x100 | 1 | 10000 (10000–10000) | 1.00× | 40 | 4 | 20 | 15 | 12 | 75 | 0.40 / 0.20 / 0.15 |');
    // 15000 × 50 µs = 0.75 of a core for Node.
    expect(text).to.contain('| rabbitmq+postgres-gc x100 | 2 | 15000 (15000–15000) | 1.50× | 50 | 5 | 20 | 16 | 12 | 86 | 0.75 / 0.30 / 0.24 |');
  });

  it('compares the retained table with the empty one of the same round against the 0.8× target', () => {
    const text = scaleSection(
      summary([
        run({ case: 'rabbitmq+postgres-gc', experiment: 'empty' }, 10_000, { nodeUs: 40, nodeSystemUs: 4 }),
        run({ case: 'rabbitmq+postgres-gc', experiment: 'retained' }, 9_000, { nodeUs: 40, nodeSystemUs: 4 }),
        run({ case: 'rabbitmq+postgres-gc', experiment: 'purging' }, 7_000, { nodeUs: 40, nodeSystemUs: 4 }),
      ]),
      median,
    );
    expect(text).to.contain('10 million rows retained — 0.90× (met) (round by round 0.90×); while purging — 0.70× (**not met**) (round by round 0.70×)');
    expect(text).to.contain('5000 rows/s');
    expect(text).to.contain('30 µs of its backend');
  });

  it('replaces the section between its markers, appends it when missing, and hands it to the next full bench run', () => {
    const doc = `# Benchmarks\n\ntext\n\n${SCALE_START}\nold\n${SCALE_END}\n\ntail\n`;
    const replaced = replaceScaleSection(doc, 'new');
    expect(replaced).to.equal(`# Benchmarks\n\ntext\n\n${SCALE_START}\nnew\n${SCALE_END}\n\ntail\n`);
    expect(existingScaleSection(replaced)).to.equal(`${SCALE_START}\nnew\n${SCALE_END}`);
    expect(replaceScaleSection('# B\n', 'first')).to.equal(`# B\n\n${SCALE_START}\nfirst\n${SCALE_END}\n`);
    expect(existingScaleSection('# B\n')).to.equal('');
  });
});
