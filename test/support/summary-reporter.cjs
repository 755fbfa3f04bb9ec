// Mocha's spec reporter plus the closing line CI reads: "N passed, N failed, N skipped".
// Pending (skipped) tests are counted as skipped; under CI=true the integration guard turns a skip into
// a failure before it gets here (test/support/integration.ts).
'use strict';
const Mocha = require('mocha');
const { Spec } = Mocha.reporters;
const { EVENT_RUN_END } = Mocha.Runner.constants;

class SummaryReporter extends Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats;
      process.stdout.write(`\n${s.passes} passed, ${s.failures} failed, ${s.pending} skipped\n`);
      // scripts/test.sh runs more than one mocha (the Node 24 run) and closes with their sum.
      if (process.env.ONCEBUS_SUMMARY_FILE) require('node:fs').appendFileSync(process.env.ONCEBUS_SUMMARY_FILE, `${s.passes} ${s.failures} ${s.pending}\n`);
    });
  }
}
module.exports = SummaryReporter;
