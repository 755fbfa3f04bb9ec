import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createDashboard, type Dashboard } from '../../src/operations/dashboard/index.js';
import { openOperationsStore } from '../../src/operations/errors/index.js';
import { sagaTableOf } from '../../src/operations/sagas/saga-instances.js';
import { stringifyTagged } from '../../src/serialization/tagged-json.js';
import { requireService } from '../support/integration.js';
import { openSqliteStore } from '../support/sql-subjects.js';

// The Sagas page as an operator uses it: the instances of an endpoints' SQLite store by type and age, the
// stuck filter, and one instance's state — decoded, masked, and inert (markup from a message shows as text).
// UPDATE_SCREENSHOTS=1 writes docs/screenshots/sagas.png and saga.png.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = join(fileURLToPath(new URL('../../../', import.meta.url)), 'docs/screenshots');
const MARKUP = '<img src=x onerror="window.__pwned=1">';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

type InPage = { __pwned?: number };

async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
}

describe('the dashboard’s Sagas page in a real browser (headless Chromium)', function () {
  this.timeout(120_000);
  let browser: Browser;
  let endpoint: ReturnType<typeof openSqliteStore>;
  let dir: string;
  let ops: Awaited<ReturnType<typeof openOperationsStore>>;
  let dashboard: Dashboard;
  const stuckId = randomUUID();

  before(async function () {
    requireService(this, 'Chromium', existsSync(CHROMIUM), `no ${CHROMIUM} (bash scripts/services.sh start installs Debian's chromium)`);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
    endpoint = openSqliteStore();
    await endpoint.store.ready();
    const now = Date.now();
    const rows: [string, string, string, number, number, number, number | null, unknown][] = [
      ['OrderFulfilment', 'A-1', stuckId, 3, now - 3 * HOUR, now - 2 * HOUR, null, { data: { orderId: MARKUP, placedAt: new Date('2026-12-01T10:00:00Z'), paid: false, apiToken: 'tok-123' }, timeouts: { PaymentDue: 't1' } }],
      ['OrderFulfilment', 'A-2', randomUUID(), 1, now - 2 * MINUTE, now - 2 * MINUTE, null, { data: { orderId: 'A-2', paid: false }, timeouts: {} }],
      ['OrderFulfilment', 'A-3', randomUUID(), 4, now - 4 * HOUR, now - HOUR, now - HOUR, { data: { orderId: 'A-3', paid: true }, timeouts: {} }],
      ['Billing', 'B-1', randomUUID(), 1, now - 10 * MINUTE, now - 10 * MINUTE, null, { data: { invoice: 7n }, timeouts: {} }],
    ];
    for (const [type, correlation, id, version, created, updated, completed, state] of rows) {
      await endpoint.store.database.execute(
        `INSERT INTO ${sagaTableOf(endpoint.store)} (saga_type, correlation_id, instance_id, state, version, created_at, updated_at, completed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [type, correlation, id, Buffer.from(stringifyTagged(state)), version, created, updated, completed],
      );
    }
    dir = mkdtempSync(join(tmpdir(), 'oncebus-dashboard-sagas-'));
    ops = await openOperationsStore(`sqlite:${join(dir, 'ops.db')}`);
    dashboard = await createDashboard({ store: ops.store, storeName: ops.where, endpointStore: endpoint.store, endpointStoreName: `sqlite:${endpoint.file}`, by: 'alice', refreshMs: 500 });
  });
  after(async () => {
    await browser?.close();
    await dashboard?.close();
    await ops?.close();
    await endpoint?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists instances by type and age, filters the stuck ones, and opens one: its state decoded, secrets masked, markup inert', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('console', (m) => void (m.type() === 'error' && problems.push(`console: ${m.text()}`)));
      await page.goto(dashboard.url);
      await page.getByRole('link', { name: 'Sagas' }).click();

      const types = page.getByRole('table', { name: 'Saga types' });
      await types.waitFor();
      expect(await types.locator('tbody tr').allTextContents(), 'type, instances, open').to.deep.equal(['Billing11', 'OrderFulfilment32']);
      const instances = page.getByRole('table', { name: 'Saga instances' });
      const correlations = () => instances.locator('tbody tr td:nth-child(2)').allTextContents();
      await instances.waitFor();
      expect(await correlations(), 'by type, the oldest first').to.deep.equal(['B-1', 'A-3', 'A-1', 'A-2']);
      expect(await instances.locator(`tr[data-instance="${stuckId}"] td`).nth(5).textContent()).to.equal('open');
      await screenshot(page, 'sagas');

      // Stuck: open longer than an hour — A-3 is older but completed, A-2 and B-1 are young.
      await page.locator('#saga-stuck').selectOption('1h');
      await page.getByRole('heading', { name: 'Instances: open longer than 1h (1)' }).waitFor();
      expect(await correlations()).to.deep.equal(['A-1']);
      expect(page.url()).to.contain('#/sagas?stuck=1h');
      // A type: by the table's link (the address keeps the stuck filter).
      await page.locator('#saga-stuck').selectOption('');
      await types.getByRole('link', { name: 'Billing' }).click();
      await page.getByRole('heading', { name: 'Instances of Billing: all (1)' }).waitFor();
      expect(await correlations()).to.deep.equal(['B-1']);

      // The stuck one's detail.
      await page.goto(`${dashboard.url}#/sagas?stuck=1h`);
      await instances.locator(`tr[data-instance="${stuckId}"]`).getByRole('link', { name: 'OrderFulfilment' }).click();
      const state = page.locator('#saga-state');
      await state.waitFor();
      const decoded = JSON.parse((await state.textContent())!) as { data: Record<string, unknown>; timeouts: unknown };
      expect(decoded.data).to.deep.equal({ orderId: MARKUP, placedAt: '2026-12-01T10:00:00.000Z', paid: false, apiToken: '***' });
      expect(decoded.timeouts).to.deep.equal({ PaymentDue: 't1' });
      expect(await page.locator('dl.facts').textContent()).to.contain(stuckId).and.contain('Version3').and.contain('no: open');
      expect(await page.evaluate(() => (globalThis as unknown as InPage).__pwned)).to.equal(undefined);
      expect(await page.locator('#view img, #view script').count()).to.equal(0);
      await screenshot(page, 'saga');

      await page.goto(`${dashboard.url}#/saga/${randomUUID()}`);
      await page.getByText(/^No saga instance .* here/).waitFor();
      expect(problems.filter((p) => !p.includes('404'))).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it('without an endpoints’ store the page says how to give one; a bad stuck filter is a 400', async () => {
    const bare = await createDashboard({ store: ops.store, by: 'alice' });
    try {
      const none = (await (await fetch(`${bare.url}api/sagas`)).json()) as { sagas: unknown };
      expect(none.sagas).to.equal(null);
      const bad = await fetch(`${dashboard.url}api/sagas?stuck=soon`);
      expect(bad.status).to.equal(400);
      expect(((await bad.json()) as { error: string }).error).to.contain('is not a duration');
    } finally {
      await bare.close();
    }
  });
});
