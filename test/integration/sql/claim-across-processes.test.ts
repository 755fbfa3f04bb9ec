import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PostgresStore } from '../../../src/stores/postgres/index.js';
import { SqliteStore } from '../../../src/stores/sqlite/index.js';
import { requireService } from '../../support/integration.js';
import { PG_URL, postgresAvailable } from '../../support/sql-subjects.js';

const CHILD = fileURLToPath(new URL('../../support/claim-child.js', import.meta.url));

/** A child holding or waiting for a claim; `lines` collects what it printed. */
function claimer(config: Record<string, string>) {
  const child = spawn(process.execPath, [CHILD], { env: { ...process.env, CLAIM_CONFIG: JSON.stringify(config) }, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    for (const line of chunk.split('\n').filter(Boolean)) {
      lines.push(line);
      for (const w of waiters.filter((w) => line.startsWith(w.text))) w.resolve();
    }
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    lines,
    exited,
    said: (text: string, timeoutMs = 10_000) =>
      lines.some((l) => l.startsWith(text))
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`child did not say '${text}'; said ${JSON.stringify(lines)}`)), timeoutMs);
            waiters.push({
              text,
              resolve: () => {
                clearTimeout(timer);
                resolve();
              },
            });
          }),
    tell: (command: string) => child.stdin.write(`${command}\n`),
    kill: () => child.kill('SIGKILL'),
  };
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`the claim across processes on ${kind}: a second process waits on an uncommitted claim, then sees its outcome`, function () {
    this.timeout(30_000);
    let config: Record<string, string>;
    let cleanup: () => Promise<void>;

    before(async function () {
      if (kind === 'postgres') requireService(this, 'PostgreSQL', await postgresAvailable());
      if (kind === 'postgres') {
        const schema = `claim_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
        const store = new PostgresStore({ connectionString: PG_URL, schema });
        await store.store.ready();
        config = { kind, pgUrl: PG_URL, schema };
        cleanup = async () => {
          await store.database.execute(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
          await store.close();
        };
      } else {
        const dir = mkdtempSync(join(tmpdir(), 'oncebus-claim-'));
        const store = new SqliteStore({ file: join(dir, 'db') });
        await store.store.ready();
        await store.close();
        config = { kind, file: join(dir, 'db') };
        cleanup = async () => rmSync(dir, { recursive: true, force: true });
      }
    });
    after(() => cleanup?.());

    for (const [outcome, expected] of [
      ['commit', 'status MessageHandled'],
      ['rollback', 'status Assigned'],
    ] as const) {
      it(`the waiting process sees '${expected.slice(7)}' after the holder's ${outcome}`, async () => {
        const messageId = randomUUID();
        const first = claimer({ ...config, messageId });
        await first.said('status Assigned');
        const second = claimer({ ...config, messageId });
        await second.said('started');
        // While the first holds its uncommitted claim, the second must not get an answer.
        let answered = true;
        await second.said('status', 500).catch(() => {
          answered = false;
        });
        expect(answered, `second answered while the claim was held: ${JSON.stringify(second.lines)}`).to.equal(false);
        first.tell(outcome);
        await first.said('done');
        await second.said(expected);
        second.tell('rollback');
        await Promise.all([first.exited, second.exited]);
      });
    }

    it('a holder killed mid-claim releases it: the waiting process claims the message', async () => {
      const messageId = randomUUID();
      const first = claimer({ ...config, messageId });
      await first.said('status Assigned');
      const second = claimer({ ...config, messageId });
      await second.said('started');
      first.kill();
      await second.said('status Assigned');
      second.tell('rollback');
      await second.exited;
    });
  });
}
