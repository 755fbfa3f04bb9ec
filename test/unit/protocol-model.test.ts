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

describe('the protocol model (test/models/oncebus.pml, checked with spin)', function () {
  this.timeout(120_000);
  before(function () {
    requireService(this, 'spin (Debian package spin, installed by scripts/services.sh)', spinAvailable());
  });

  it('holds over every interleaving, and each known-broken variant is caught', () => {
    const out = execFileSync('bash', [CHECK], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const line = (name: string) => out.split('\n').find((l) => l.startsWith(name)) ?? '';
    expect(line('oncebus:'), out).to.match(/errors: 0/);
    for (const mutant of ['mutant shuttle:', 'mutant no-lock:', 'mutant no-rollback:']) expect(line(mutant), out).to.match(/errors: [1-9]/);
  });
});
