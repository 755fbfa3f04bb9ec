import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createDashboard, type Dashboard } from '../../src/operations/dashboard/index.js';
import { openOperationsStore } from '../../src/operations/errors/index.js';
import { MARKUP, type SeededKeys, seedHttpKeys } from '../support/http-key-seeds.js';
import { requireService } from '../support/integration.js';

// The HTTP keys page as an operator uses it: the Idempotency-Keys of an endpoints' SQLite store (left by real
// requests to a Fastify route of oncebus/http, and as other processes leave them), filtered by status, age and
// scope, and one key's stored response — credentials hidden, markup from a client inert.
// UPDATE_SCREENSHOTS=1 writes docs/screenshots/http-keys.png and http-key.png.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = join(fileURLToPath(new URL('../../../', import.meta.url)), 'docs/screenshots');

type InPage = { __pwned?: number };

async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
}

describe('the dashboard’s HTTP keys page in a real browser (headless Chromium)', function () {
  this.timeout(120_000);
  let browser: Browser;
  let seeded: SeededKeys;
  let dir: string;
  let ops: Awaited<ReturnType<typeof openOperationsStore>>;
  let dashboard: Dashboard;

  before(async function () {
    requireService(this, 'Chromium', existsSync(CHROMIUM), `no ${CHROMIUM} (bash scripts/services.sh start installs Debian's chromium)`);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
    seeded = await seedHttpKeys('sqlite');
    dir = mkdtempSync(join(tmpdir(), 'oncebus-dashboard-http-keys-'));
    ops = await openOperationsStore(`sqlite:${join(dir, 'ops.db')}`);
    dashboard = await createDashboard({ store: ops.store, storeName: ops.where, endpointStore: seeded.store.store, endpointStoreName: seeded.storeArgs[1], by: 'alice', refreshMs: 500 });
  });
  after(async () => {
    await browser?.close();
    await dashboard?.close();
    await ops?.close();
    await seeded?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists the newest keys, filters them by status, age and scope, and opens one: its stored response, markup inert', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('console', (m) => void (m.type() === 'error' && problems.push(`console: ${m.text()}`)));
      await page.goto(dashboard.url);
      await page.getByRole('link', { name: 'HTTP keys' }).click();

      const keys = page.getByRole('table', { name: 'HTTP keys' });
      const listed = () => keys.locator('tbody tr').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-scope')}/${r.getAttribute('data-key')}`));
      await keys.waitFor();
      const all = await listed();
      expect(all.slice(3), 'the newest first').to.deep.equal(['acme/in-flight', 'acme/huge', 'acme/binary', 'acme/secrets', 'acme/abandoned', 'acme/old']);
      expect(all.slice(0, 3).map((k) => k.slice(k.lastIndexOf('/') + 1)), 'the real requests, the newest').to.have.members(['order-1', 'order-1', 'order-long']);
      expect(await keys.locator('tr[data-key="old"] td').nth(1).textContent()).to.equal('completed (expired)');
      expect(await keys.locator('tr[data-key="in-flight"] td').nth(2).textContent()).to.equal('-');
      await screenshot(page, 'http-keys');

      await page.locator('#key-status').selectOption('running');
      await page.getByRole('heading', { name: 'The newest keys: running' }).waitFor();
      expect(await listed()).to.deep.equal(['acme/in-flight', 'acme/abandoned']);
      await page.locator('#key-status').selectOption('');
      await page.locator('#key-older').selectOption('1h');
      await page.getByRole('heading', { name: 'The newest keys: older than 1h' }).waitFor();
      expect(await listed()).to.deep.equal(['acme/abandoned', 'acme/old']);
      expect(page.url()).to.contain('#/http-keys?older=1h');
      await page.locator('#key-older').selectOption('');
      await page.locator('#key-scope').fill('globex');
      await page.getByRole('heading', { name: 'The newest keys: in scope globex' }).waitFor();
      expect(await listed()).to.deep.equal(['globex/order-1']);

      // globex's key: the markup its client sent is in the stored body and location, shown as text.
      await keys.getByRole('link', { name: 'order-1' }).click();
      const body = page.locator('#key-body');
      await body.waitFor();
      const stored = JSON.parse((await body.textContent())!) as { orderId: string };
      expect(stored.orderId).to.equal(MARKUP);
      expect(await page.getByRole('heading', { name: 'Response 201' }).count()).to.equal(1);
      const headers = page.getByRole('table', { name: 'Stored headers' });
      expect(await headers.locator('tbody tr').allTextContents()).to.deep.equal(['content-typeapplication/json; charset=utf-8', `location/orders/${MARKUP}`]);
      expect(await page.locator('dl.facts').textContent()).to.contain('Scopeglobex').and.contain('Statuscompleted');
      expect(await page.evaluate(() => (globalThis as unknown as InPage).__pwned)).to.equal(undefined);
      expect(await page.locator('#view img, #view script').count()).to.equal(0);

      // Credentials in stored headers are hidden, a secret in the body masked.
      await page.goto(`${dashboard.url}#/http-key?scope=acme&key=secrets`);
      await page.getByRole('table', { name: 'Stored headers' }).waitFor();
      expect(await page.getByRole('table', { name: 'Stored headers' }).locator('tbody tr').allTextContents()).to.deep.equal([
        'content-typetext/plain',
        'set-cookie***',
        'x-api-key***',
        'locationpostgres://shop:***@db/x',
      ]);
      expect(await page.locator('#key-body').textContent()).to.match(/^password=\*\*\* then /);
      await screenshot(page, 'http-key');

      // A running key has no response yet.
      await page.goto(`${dashboard.url}#/http-key?scope=acme&key=in-flight`);
      await page.getByText(/^None stored yet/).waitFor();
      expect(await page.locator('dl.facts').textContent()).to.contain('running: its attempt holds the lease');

      await page.goto(`${dashboard.url}#/http-key?scope=acme&key=no-such-key`);
      await page.getByText(/^No HTTP key no-such-key here/).waitFor();
      expect(problems.filter((p) => !p.includes('404'))).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it('without an endpoints’ store the list is null; a bad age is a 400, an unknown key a 404', async () => {
    const bare = await createDashboard({ store: ops.store, by: 'alice' });
    try {
      const none = (await (await fetch(`${bare.url}api/http-keys`)).json()) as { keys: unknown };
      expect(none.keys).to.equal(null);
      expect((await fetch(`${bare.url}api/http-key?scope=acme&key=secrets`)).status).to.equal(404);
      const bad = await fetch(`${dashboard.url}api/http-keys?older=soon`);
      expect(bad.status).to.equal(400);
      expect(((await bad.json()) as { error: string }).error).to.contain('is not a duration');
      const missing = await fetch(`${dashboard.url}api/http-key?scope=acme`);
      expect(missing.status).to.equal(400);
    } finally {
      await bare.close();
    }
  });
});
