// Two endpoint processes on one SQLite file (npm run bench:sqlite-fairness; issue 30): process A's handlers
// include some that hang past handlerTimeout on every attempt, beside normal traffic; process B has normal
// traffic. Prints, per round and case, B's worst / p99 / median wait to commit a write, B's longest stall
// between handled messages, and both processes' throughput and CPU per message.
//   node dist/test/bench/sqlite-two-processes.js --rounds 3 --normal 2000 --hung 8
import { runFairnessScenario } from '../support/sqlite-fairness.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const ROUNDS = Number(arg('rounds', '3'));
const NORMAL = Number(arg('normal', '2000'));
const HUNG = Number(arg('hung', '8'));
const TIMEOUT_MS = Number(arg('handler-timeout', '1000'));

for (let round = 1; round <= ROUNDS; round++) {
  for (const groupCommit of [true, false]) {
    const result = await runFairnessScenario({
      groupCommit,
      handlerTimeoutMs: TIMEOUT_MS,
      hung: HUNG,
      hangMs: 60_000,
      normalA: NORMAL,
      normalB: NORMAL,
      threads: 4,
      deadlineMs: 60_000,
    });
    process.stdout.write(`${JSON.stringify({ round, groupCommit, ...result })}\n`);
  }
}
