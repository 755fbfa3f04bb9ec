import { runFailoverStream } from './pg-failover-run.js';

/**
 * The longer run for the notes (not a test file): node dist/test/support/pg-failover-soak.js [mode] [failovers]
 * [messages] [holdMs]. Needs the pair (bash scripts/pg-pair.sh start) and root (it SIGKILLs the pair's primary).
 */
const [mode = 'sync', failovers = '5', messages = '5000', holdMs = '300'] = process.argv.slice(2);
const figures = await runFailoverStream({
  mode: mode as 'sync' | 'async',
  failovers: Number(failovers),
  messages: Number(messages),
  holdMs: Number(holdMs),
  log: (line) => console.log(line),
});
console.log(JSON.stringify(figures));
