import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../../src/stores/sqlite/index.js';

// What a host's readiness probe reads of a SQL idempotence store: whether the database answers now.
describe('SQL idempotence store: health', () => {
  it('is healthy while the database answers, unhealthy once it cannot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oncebus-health-'));
    const store = new SqliteStore({ file: join(dir, 'health.db') });
    const idempotence = store.idempotence();
    try {
      expect(await idempotence.checkHealth(new AbortController().signal)).to.deep.equal({ healthy: true, detail: 'sqlite answered' });
      await store.close();
      const health = await idempotence.checkHealth(new AbortController().signal);
      expect(health.healthy).to.equal(false);
      expect(health.detail).to.match(/^sqlite did not answer: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives up when the caller stops waiting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oncebus-health-'));
    const store = new SqliteStore({ file: join(dir, 'health.db') });
    try {
      const aborted = AbortSignal.abort();
      expect(await store.idempotence().checkHealth(aborted)).to.deep.equal({ healthy: false, detail: 'sqlite did not answer: no answer in time' });
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
