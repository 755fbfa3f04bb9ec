import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { requireService } from '../support/integration.js';

const CHECK = fileURLToPath(new URL('../../../test/models/check.sh', import.meta.url));

function spinAvailable(): boolean {
  try {
    execFileSync('spin', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('the protocol models (test/models/oncebus.pml, group-commit.pml, session.pml, error-ingestion.pml, batch-queue.pml, sql-queue-group-commit.pml, schedule-ticks.pml, saga-step.pml and http-keys.pml, checked with spin)', function () {
  // check.sh takes about 105 s on a 2-core machine: the inbox model (about 23 million states) takes about
  // 30 s, the two exhaustive group-commit runs with the SQLite put-back (about 4.9 and 4.1 million states) about 13 and 11 s, and each
  // model and mutant is compiled with gcc; the session model (about 4 million states) takes a few seconds and
  // its no-lease mutant about 15 s before its first error; the SQL-queue group-commit model (about 7 million states)
  // about 15 s; the schedules model (about 2 million states) about 2 s; the saga step (about 4 and 3 million
  // states, a cycle check and five quick mutants) about 15 s of CPU, 30 s on a loaded machine; the HTTP keys
  // model (about 16 million states) about 18 s, its liveness run (weak fairness) about 12 s and its three mutants
  // with their compiles about 10 s (about 45 s for its part, 3 to 4 times that on a machine loaded by other
  // runs). It runs once, in before(); 600 s leaves room for a loaded machine.
  this.timeout(600_000);
  let out = '';
  const line = (name: string) => out.split('\n').find((l) => l.startsWith(name)) ?? '';
  before(function () {
    requireService(this, 'spin (Debian package spin, installed by scripts/services.sh)', spinAvailable());
    out = execFileSync('bash', [CHECK], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  });

  it('the inbox holds over every interleaving (a publish to three subscribers, expiry at any moment, the flush lease), and each known-broken variant is caught', () => {
    expect(line('oncebus:'), out).to.match(/errors: 0 /);
    const mutants = ['shuttle', 'no-lock', 'no-rollback', 'delete-by-outgoing-id', 'expiry-first', 'no-flush-lease'];
    for (const mutant of mutants) expect(line(`mutant ${mutant}:`), out).to.match(/errors: [1-9]/);
  });

  it('group commit holds over every interleaving (one lane per process, and two lanes in one), and each known-broken variant is caught', () => {
    expect(line('group-commit:'), out).to.match(/errors: 0 /);
    expect(line('group-commit two lanes:'), out).to.match(/errors: 0 /);
    for (const mutant of [
      'mutant gc-no-savepoint:',
      'mutant gc-same-batch-duplicate:',
      'mutant gc-ack-before-commit:',
      'mutant gc-complete-before-flush:',
      'mutant gc-putback-keeps-claim:',
    ]) {
      expect(line(mutant), out).to.match(/errors: [1-9]/);
    }
  });

  it('the transactional session holds over every interleaving (its process and two sweepers), and each known-broken variant is caught', () => {
    expect(line('session:'), out).to.match(/errors: 0 /);
    for (const mutant of ['mutant session-sweeper-no-lease:', 'mutant session-dual-write:', 'mutant session-no-sweeper:']) {
      expect(line(mutant), out).to.match(/errors: [1-9]/);
    }
  });

  it('failed-message ingestion and returns hold over every interleaving (two ingestors, two operators, the endpoint), and each known-broken variant is caught', () => {
    expect(line('operations:'), out).to.match(/errors: 0 /);
    for (const mutant of [
      'mutant ops-ack-before-commit:',
      'mutant ops-no-hash-dedupe:',
      'mutant ops-no-resume:',
      'mutant ops-resume-no-lease:',
      'mutant ops-no-idempotence:',
      'mutant ops-ack-failure-kept:',
    ]) {
      expect(line(mutant), out).to.match(/errors: [1-9]/);
    }
  });

  it('the batch-taking SQL queue holds over every interleaving (two consumers, batches, crashes), and each known-broken variant is caught', () => {
    expect(line('batch queue:'), out).to.match(/errors: 0 /);
    for (const mutant of ['mutant batch-commit-at-first-ack:', 'mutant batch-no-idempotence:', 'mutant batch-no-skip-locked:']) {
      expect(line(mutant), out).to.match(/errors: [1-9]/);
    }
  });

  it('group commit on a batch-taking SQL queue holds over every interleaving (two processes, two queue tables, a follow-up enqueued after the commit, crashes, outages), and each known-broken variant is caught', () => {
    expect(line('sql queue group commit:'), out).to.match(/errors: 0 /);
    for (const mutant of [
      'mutant sqlgc-ack-before-commit:',
      'mutant sqlgc-dispatch-before-commit:',
      'mutant sqlgc-complete-before-dispatch:',
      'mutant sqlgc-no-skip-locked:',
    ]) {
      expect(line(mutant), out).to.match(/errors: [1-9]/);
    }
  });

  it('a schedule\'s tick sends its message once over every interleaving (two processes firing it, restarts firing it again, crashes, outages), and a tick id per process is caught', () => {
    expect(line('schedule ticks:'), out).to.match(/errors: 0 /);
    expect(line('mutant schedule-distinct-tick-ids:'), out).to.match(/errors: [1-9]/);
  });

  it('a saga step holds over every interleaving (racing starters, concurrent events, a timeout racing completion, crashes at every step), every run ends, and each known-broken variant is caught', () => {
    expect(line('saga step:'), out).to.match(/errors: 0 /);
    expect(line('saga step one crash, not found:'), out).to.match(/errors: 0 /);
    expect(line('saga step every run ends:'), out).to.match(/errors: 0 /);
    for (const mutant of [
      'mutant saga-no-version:',
      'mutant saga-no-unique:',
      'mutant saga-timeout-after-complete:',
      'mutant saga-save-outside-uow:',
      'mutant saga-late-start-loops:',
    ]) {
      expect(line(mutant), out).to.match(/errors: [1-9]/);
    }
  });

  it('an HTTP Idempotency-Key runs its route once over every interleaving (two API processes, retries and a concurrent duplicate, take-overs, crashes), the client eventually gets the stored response, and each known-broken variant is caught', () => {
    expect(line('http keys:'), out).to.match(/errors: 0 /);
    expect(line('http keys answer (liveness):'), out).to.match(/errors: 0 /);
    // the two stores of the response that let the route's effects commit twice fail at that very assertion
    for (const mutant of ['mutant http-response-outside-tx:', 'mutant http-running-unguarded:']) {
      expect(line(mutant), out).to.match(/assertion violated \(orders==0\).*errors: [1-9]/);
    }
    expect(line('mutant http-dead-lease-kept:'), out).to.match(/errors: [1-9]/);
  });
});
