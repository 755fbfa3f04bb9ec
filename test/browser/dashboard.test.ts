import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Container } from 'inversify';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { addOncebus, createSilentLogger, handlesMessage, type IHandlerContext, type IMessageHandler, type IServiceBus, TYPES } from '../../src/index.js';
import { run } from '../../src/operations/cli/main.js';
import { createDashboard, type Dashboard } from '../../src/operations/dashboard/index.js';
import { deleteFailedMessages, ErrorIngestor, type FailedMessageStore, openOperationsStore, QueueRegistry } from '../../src/operations/errors/index.js';
import { emptyTransportMessage } from '../../src/envelope/transport-message.js';
import { serializeTransportMessage } from '../../src/envelope/wire-format.js';
import { isCreateQueue } from '../../src/transport/queue.js';
import { requireService } from '../support/integration.js';
import { eventually, waitForEvents } from '../support/latch.js';
import { PlaceOrder } from '../support/messages.js';
import { openSqliteStore } from '../support/sql-subjects.js';

// The operations dashboard as an operator uses it: a real endpoint on SQLite fails a message, the error
// queue is ingested, and a headless Chromium (Debian's, driven by playwright-core) finds it, opens it and
// returns it. UPDATE_SCREENSHOTS=1 writes the pages it passes through to docs/screenshots/.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCREENSHOTS = join(ROOT, 'docs/screenshots');
const BIN = fileURLToPath(new URL('../../src/operations/cli/bin.js', import.meta.url));
const MARKUP = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';
const HEADER_MARKUP = '<img src=x onerror="window.__pwned=3">';
const WORK = 'sqlite://default/dash-orders';
const ERROR = 'sqlite://default/dash-orders-error';

/** The page's globals the tests read (page.evaluate runs in the page; this file compiles without the DOM lib). */
type InPage = { __pwned?: number; __stayed?: boolean; document: { cookie: string; activeElement: unknown } };

const handled: string[] = [];
let broken = true;

@handlesMessage(PlaceOrder)
class DashboardWarehouseHandler implements IMessageHandler<PlaceOrder> {
  handle(ctx: IHandlerContext<PlaceOrder>): void {
    if (broken && ctx.message.orderId.startsWith('S-')) throw new RangeError(`no stock left for order '${ctx.message.orderId}'`);
    if (broken) throw new Error(`warehouse offline for order '${ctx.message.orderId}'`);
    handled.push(ctx.transportMessage.messageId);
  }
}

/** An endpoint on SQLite (queues and idempotence in one file) whose handler fails while `broken`, and an operations store beside it. */
interface World {
  readonly endpoint: ReturnType<typeof openSqliteStore>;
  readonly bus: IServiceBus;
  readonly ops: Awaited<ReturnType<typeof openOperationsStore>>;
  readonly opsFile: string;
  readonly queues: QueueRegistry;
  dispose(): Promise<void>;
}

async function openWorld(): Promise<World> {
  handled.length = 0;
  broken = true;
  const endpoint = openSqliteStore();
  const dir = mkdtempSync(join(tmpdir(), 'oncebus-dashboard-'));
  const opsFile = join(dir, 'ops.db');
  const ops = await openOperationsStore(`sqlite:${opsFile}`);
  const c = new Container();
  c.bind(TYPES.QueueFactory).toConstantValue(endpoint.queues);
  c.bind(TYPES.IdempotenceServiceFactory).toConstantValue(endpoint.idempotence());
  c.bind(TYPES.Logger).toConstantValue(createSilentLogger());
  addOncebus(c, {
    name: 'dash-orders',
    handlers: [DashboardWarehouseHandler],
    idempotence: true,
    inbox: { workQueueUri: WORK, errorQueueUri: ERROR, maximumFailureCount: 3, durationToIgnoreOnFailure: ['0ms'], durationToSleepWhenIdle: ['50ms'] },
  });
  const bus = c.get<IServiceBus>(TYPES.ServiceBus);
  await bus.start();
  const queues = new QueueRegistry([endpoint.queues]);
  return {
    endpoint,
    bus,
    ops,
    opsFile,
    queues,
    async dispose() {
      await bus.stop();
      await queues.close();
      await ops.close();
      await endpoint.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Sends one order, resolves once it is in the error queue (3 failed attempts) and ingested; to its messageId. */
async function failAndIngest(world: World, orderId: string, headers: Record<string, string> = {}): Promise<string> {
  const failed = waitForEvents(world.bus.events, 'messageSentToErrorQueue', 1, () => true, 20_000);
  const sent = await world.bus.send(new PlaceOrder(orderId, 42), { local: true, headers });
  await failed;
  const report = await new ErrorIngestor(world.ops.store, world.queues, [ERROR]).drain();
  expect(report.new + report.failedAgain).to.equal(1);
  return sent.messageId;
}

function dashboardOf(world: World, extra: Partial<Parameters<typeof createDashboard>[0]> = {}): Promise<Dashboard> {
  return createDashboard({
    store: world.ops.store,
    storeName: world.ops.where,
    queues: world.queues,
    endpointQueues: [WORK, ERROR],
    queueFactories: [world.endpoint.queues],
    endpointStore: world.endpoint.store,
    endpointStoreName: `sqlite:${world.endpoint.file}`,
    by: 'alice',
    refreshMs: 500,
    ...extra,
  });
}

async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
}

/** What the page reported: uncaught errors and console errors (a CSP violation is one). */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  return problems;
}

/** One HTTP request with full control of its headers (Host, Origin), as a browser of another site or a script would send it. */
function http(url: string, options: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...options.headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const chromiumAvailable = (): boolean => existsSync(CHROMIUM);

describe('the operations dashboard in a real browser (headless Chromium)', function () {
  this.timeout(120_000);
  let browser: Browser;
  let context: BrowserContext;
  let world: World;
  let dashboard: Dashboard | undefined;

  before(async function () {
    requireService(this, 'Chromium', chromiumAvailable(), `no ${CHROMIUM} (bash scripts/services.sh start installs Debian's chromium)`);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    world = await openWorld();
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  });
  afterEach(async () => {
    await context?.close();
    await dashboard?.close();
    dashboard = undefined;
    await world?.dispose();
  });

  it('a message failing 3 times is seen in its group, opened (its markup shown as text, never run), returned with the confirmation, and handled once', async () => {
    const messageId = await failAndIngest(world, MARKUP, { 'x-note': HEADER_MARKUP });
    dashboard = await dashboardOf(world);
    const page = await context.newPage();
    const problems = watch(page);
    await page.goto(dashboard.url);

    // The groups: one group, one message, titled by its normalised failure.
    const groups = page.getByRole('table', { name: 'Failure groups' });
    const group = groups.getByRole('row').filter({ hasText: 'test.PlaceOrder' });
    await group.waitFor();
    expect(await group.getByRole('link').textContent()).to.equal('test.PlaceOrder: Error: warehouse offline for order <value>');
    expect(await group.locator('td.num').textContent()).to.equal('1');
    await expectText(page.locator('#nav-unresolved'), '1');

    // Its messages: the failure text, markup and all, as text.
    await group.getByRole('link').click();
    const row = page.getByRole('table', { name: 'Failed messages' }).getByRole('row').filter({ hasText: messageId });
    await row.waitFor();
    expect(await row.textContent()).to.contain(`warehouse offline for order '${MARKUP}'`);
    await screenshot(page, 'messages');

    // The message: body pretty-printed JSON of what was sent, headers, 3 failures, the stack.
    await row.getByRole('link', { name: 'test.PlaceOrder' }).click();
    const body = page.locator('#message-body');
    await body.waitFor();
    const bodyText = (await body.textContent())!;
    expect(bodyText).to.contain('\n  "orderId": ');
    expect(JSON.parse(bodyText)).to.deep.equal({ orderId: MARKUP, amount: 42 });
    expect(await page.locator('table.headers').getByRole('row').filter({ hasText: 'x-note' }).locator('td').textContent()).to.equal(HEADER_MARKUP);
    expect(await page.locator('ol.failures li').count()).to.equal(3);
    expect(await page.locator('pre.stack').textContent()).to.contain('DashboardWarehouseHandler');
    expect(await page.locator('.title-row [data-status]').textContent()).to.equal('unresolved');
    // Inert: nothing ran, no element came out of the data.
    expect(await page.evaluate(() => (globalThis as unknown as InPage).__pwned)).to.equal(undefined);
    expect(await page.locator('#view img, #view script').count()).to.equal(0);
    await screenshot(page, 'message');

    // Fixed; returned from the page, through its confirmation dialog.
    broken = false;
    const handledNow = waitForEvents(world.bus.events, 'messageHandled', 1, (tm) => tm.messageId === messageId, 20_000);
    await page.locator('.title-row').getByRole('button', { name: 'Return' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.getByRole('heading').textContent()).to.equal('Return this message?');
    await screenshot(page, 'confirm');
    await dialog.getByRole('button', { name: 'Return' }).click();
    await page.locator('.title-row [data-status="returned"]').waitFor();
    await expectText(page.locator('#notice-text'), 'Returned 1 message.');
    await handledNow;
    expect(handled, 'handled once').to.deep.equal([messageId]);
    await page.locator('ul.history li').filter({ hasText: 'returned by alice' }).waitFor();

    // The endpoint's side: its queues are empty and its idempotence store holds one completed message.
    await page.getByRole('link', { name: 'Endpoints' }).click();
    const idempotence = page.getByRole('table', { name: 'Idempotence rows' });
    await idempotence.waitFor();
    expect(await idempotence.locator('tbody tr').count()).to.equal(1);
    expect(await idempotence.locator('tbody tr td').nth(3).textContent(), 'completed').to.equal('1');
    const depths = page.getByRole('table', { name: 'Queue depths' });
    expect(await depths.locator('tbody tr').allTextContents()).to.deep.equal(['sqlite://default/dash-orders0', 'sqlite://default/dash-orders-error0']);
    await screenshot(page, 'endpoints');
    const record = await world.ops.store.get(messageId);
    expect(record?.actions.map((a) => `${a.action} by ${a.by}`)).to.deep.equal(['return by alice']);
    expect(handled, 'handled once').to.deep.equal([messageId]);
    expect(problems).to.deep.equal([]);
  });

  it('a group deleted and all the rest returned from the groups page, each confirmed; Cancel leaves everything as it was', async () => {
    const warehouse = [await failAndIngest(world, 'W-1'), await failAndIngest(world, 'W-2')];
    await failAndIngest(world, 'S-1');
    dashboard = await dashboardOf(world);
    const page = await context.newPage();
    const problems = watch(page);
    await page.goto(dashboard.url);
    const rows = page.getByRole('table', { name: 'Failure groups' }).locator('tbody tr');
    await rows.nth(1).waitFor();
    expect(await rows.locator('td.num').allTextContents(), 'the largest group first').to.deep.equal(['2', '1']);
    await screenshot(page, 'groups');
    const stock = rows.filter({ hasText: 'RangeError' });
    const dialog = page.getByRole('dialog');

    await stock.getByRole('button', { name: 'Delete' }).click();
    expect(await dialog.getByRole('heading').textContent()).to.equal('Delete the 1 unresolved message of this group?');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await world.ops.store.list()).total, 'Cancel did nothing').to.equal(3);

    await stock.getByRole('button', { name: 'Delete' }).click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await expectText(page.locator('#notice-text'), 'Deleted 1 message.');
    await stock.waitFor({ state: 'detached' });
    expect(await rows.count()).to.equal(1);

    broken = false;
    const handledNow = waitForEvents(world.bus.events, 'messageHandled', 2, () => true, 20_000);
    await page.locator('.bulk').getByRole('button', { name: 'Return all' }).click();
    expect(await dialog.getByRole('heading').textContent()).to.equal('Return all 2 unresolved messages?');
    await dialog.getByRole('button', { name: 'Return' }).click();
    await page.getByText('No unresolved failed messages.').waitFor();
    await expectText(page.locator('#notice-text'), 'Returned 2 messages.');
    await handledNow;
    expect([...handled].sort()).to.deep.equal([...warehouse].sort());
    expect((await world.ops.store.list({ status: 'archived' })).messages.map((m) => m.statusBy)).to.deep.equal(['alice']);
    expect(problems).to.deep.equal([]);
  });

  it('live refresh: what fails or is deleted elsewhere shows up while the operator keeps the search, the focus and the page', async () => {
    const first = await failAndIngest(world, 'L-1');
    dashboard = await dashboardOf(world);
    const page = await context.newPage();
    const problems = watch(page);
    await page.goto(`${dashboard.url}#/messages?status=all`);
    const search = page.getByRole('searchbox', { name: 'Search failed messages' });
    await search.fill('warehouse');
    await page.waitForURL(/search=warehouse/);
    await expectText(page.locator('#page-info'), '1–1 of 1 · page 1 of 1');
    await page.evaluate(() => {
      (globalThis as unknown as InPage).__stayed = true;
    });

    // Another message fails and is ingested: the list grows by itself.
    const second = await failAndIngest(world, 'L-2');
    const rows = page.getByRole('table', { name: 'Failed messages' }).locator('tbody tr');
    await rows.filter({ hasText: second }).waitFor();
    expect(await rows.count()).to.equal(2);

    // Another operator deletes the first (the CLI, say): its status turns 'deleted' here.
    await deleteFailedMessages(world.ops.store, [first], { by: 'bob' });
    await rows.filter({ hasText: first }).locator('[data-status="archived"]').waitFor();
    expect(await rows.filter({ hasText: second }).locator('[data-status]').textContent()).to.equal('unresolved');

    // The operator's place was kept: the same document, the search typed, the focus in it.
    expect(await page.evaluate(() => (globalThis as unknown as InPage).__stayed)).to.equal(true);
    expect(await search.inputValue()).to.equal('warehouse');
    expect(await search.evaluate((el) => el === (globalThis as unknown as InPage).document.activeElement)).to.equal(true);
    expect(problems).to.deep.equal([]);
  });

  it('30 failure groups: the page shows 25 and a pager; the next page the other 5; the totals count them all', async () => {
    for (let i = 0; i < 30; i++) {
      const failed = { ...emptyTransportMessage(), messageId: `paged-${i}`, messageType: `test.Paged${String(i).padStart(2, '0')}`, sendDate: Date.now() };
      failed.failureMessages.push('2026-12-03T10:00:00.000Z dash-orders Error: warehouse offline');
      await world.ops.store.ingest(serializeTransportMessage(failed), ERROR, Date.now() + i);
    }
    dashboard = await dashboardOf(world);
    const page = await context.newPage();
    const problems = watch(page);
    await page.goto(dashboard.url);
    const rows = page.getByRole('table', { name: 'Failure groups' }).locator('tbody tr');
    await expectText(page.locator('#groups-page-info'), 'page 1 of 2 · 30 groups');
    expect(await rows.count()).to.equal(25);
    await expectText(page.locator('.bulk span').first(), '30 unresolved messages in 30 groups');
    await page.getByRole('button', { name: 'Next ›' }).click();
    await expectText(page.locator('#groups-page-info'), 'page 2 of 2 · 30 groups');
    expect(await rows.count()).to.equal(5);
    expect(page.url()).to.match(/#\/\?page=2$/);
    expect(problems).to.deep.equal([]);
  });

  it('with a token: the page without it or with a wrong one gets 401; the right one once sets an HttpOnly SameSite=Strict cookie and leaves the address', async () => {
    const token = 'tok-0123456789abcdef-secret';
    dashboard = await dashboardOf(world, { host: '0.0.0.0', token });
    const url = dashboard.url.replace('0.0.0.0', '127.0.0.1');
    const page = await context.newPage();

    expect((await page.goto(url))?.status()).to.equal(401);
    expect((await page.goto(`${url}?token=wrong-token-0123456789`))?.status()).to.equal(401);
    expect((await http(`${url}api/session`)).status).to.equal(401);
    expect((await http(`${url}api/session`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).to.equal(401);
    const bearer = await http(`${url}api/session`, { headers: { authorization: `Bearer ${token}` } });
    expect(bearer.status).to.equal(200);
    expect(bearer.body).not.to.contain(token);

    const answer = await page.goto(`${url}?token=${token}`);
    expect(answer?.status()).to.equal(200);
    expect(page.url(), 'the token left the address').to.equal(url);
    await page.getByRole('heading', { name: 'Failed messages by group' }).waitFor();
    await expectText(page.locator('#by'), 'alice');
    const cookies = await context.cookies(url);
    expect(cookies.map((c) => ({ httpOnly: c.httpOnly, sameSite: c.sameSite }))).to.deep.equal([{ httpOnly: true, sameSite: 'Strict' }]);
    expect(cookies[0]!.value, 'the cookie holds no token').not.to.contain(token);
    expect(await page.evaluate(() => (globalThis as unknown as InPage).document.cookie), 'not readable by scripts').to.equal('');
    expect(await page.content()).not.to.contain(token);
    // The cookie carries it from now on.
    expect((await page.reload())?.status()).to.equal(200);
  });

  it('with a token on a shared machine: another server on 127.0.0.1 the browser visits gets no token, and the cookie it gets opens no API', async () => {
    const token = 'tok-0123456789abcdef-shared';
    dashboard = await dashboardOf(world, { host: '127.0.0.1', token });
    // Another user's server on the same host, another port: cookies are not kept apart by port.
    const seen: string[] = [];
    const other = createServer((request, response) => {
      seen.push(request.headers.cookie ?? '');
      response.end('another local server');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const page = await context.newPage();
      const problems = watch(page);
      await page.goto(`${dashboard.url}?token=${token}`);
      await expectText(page.locator('#by'), 'alice');
      await page.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
      expect(seen.length, 'requests the other server saw (the page, maybe its icon)').to.be.at.least(1);
      expect(seen[0], 'the dashboard cookie reached the other server (as cookies do)').to.contain('oncebus_dashboard_');
      for (const cookie of seen) expect(cookie, 'what it got holds the token').not.to.contain(token);
      // Replayed by the other server's owner: no API answers to it.
      for (const path of ['api/session', 'api/groups', 'api/messages']) {
        const replayed = await http(`${dashboard.url}${path}`, { headers: { cookie: seen[0]! } });
        expect(replayed.status, path).to.equal(401);
      }
      // The operator's tab goes on working: its session is kept per origin (port included), not in a cookie.
      expect((await page.goto(dashboard.url))?.status()).to.equal(200);
      await expectText(page.locator('#by'), 'alice');
      await page.locator('#live.ok').waitFor();
      expect(problems).to.deep.equal([]);
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });
});

async function expectText(locator: ReturnType<Page['locator']>, text: string): Promise<void> {
  await locator.filter({ hasText: text }).waitFor();
  expect((await locator.textContent())?.trim()).to.equal(text);
}

describe('the operations dashboard refuses what is not safe (HTTP)', function () {
  this.timeout(60_000);
  let dir: string;
  let ops: Awaited<ReturnType<typeof openOperationsStore>>;
  let dashboard: Dashboard | undefined;

  /** One record of bytes that are not an envelope: enough to see whether an action happened. */
  const seed = (store: FailedMessageStore) => store.ingest(new TextEncoder().encode('not an envelope'), 'sqlite://default/x-error', Date.now());

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oncebus-dashboard-'));
    ops = await openOperationsStore(`sqlite:${join(dir, 'ops.db')}`);
    await seed(ops.store);
  });
  afterEach(async () => {
    await dashboard?.close();
    dashboard = undefined;
    await ops.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an action (POST) without the CSRF header, or from another origin, gets 403 and changes nothing; with both it acts', async () => {
    dashboard = await createDashboard({ store: ops.store, by: 'carol' });
    const session = JSON.parse((await http(`${dashboard.url}api/session`)).body) as { csrfToken: string; csrfHeader: string; returns: { enabled: boolean; reason: string } };
    const host = new URL(dashboard.url).host;

    const none = await http(`${dashboard.url}api/delete`, { method: 'POST', body: { all: true } });
    expect(none.status).to.equal(403);
    expect(none.body).to.contain('x-oncebus-csrf');
    const wrong = await http(`${dashboard.url}api/delete`, { method: 'POST', body: { all: true }, headers: { [session.csrfHeader]: 'guessed' } });
    expect(wrong.status).to.equal(403);
    const elsewhere = await http(`${dashboard.url}api/delete`, { method: 'POST', body: { all: true }, headers: { [session.csrfHeader]: session.csrfToken, origin: 'http://evil.example' } });
    expect(elsewhere.status).to.equal(403);
    const crossSite = await http(`${dashboard.url}api/delete`, { method: 'POST', body: { all: true }, headers: { [session.csrfHeader]: session.csrfToken, 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).to.equal(403);
    // A DNS-rebinding page reaches 127.0.0.1 under its own name: refused, even a GET.
    expect((await http(`${dashboard.url}api/session`, { headers: { host: `evil.example:${new URL(dashboard.url).port}` } })).status).to.equal(403);
    expect((await ops.store.list()).total, 'nothing deleted').to.equal(1);

    // Returns without a QueueRegistry: refused, saying why.
    const returned = await http(`${dashboard.url}api/return`, { method: 'POST', body: { all: true }, headers: { [session.csrfHeader]: session.csrfToken, origin: `http://${host}` } });
    expect(returned.status).to.equal(409);
    expect(JSON.parse(returned.body).error).to.contain('--transport');
    expect(session.returns).to.deep.include({ enabled: false });

    const deleted = await http(`${dashboard.url}api/delete`, { method: 'POST', body: { all: true }, headers: { [session.csrfHeader]: session.csrfToken, origin: `http://${host}` } });
    expect(deleted.status, deleted.body).to.equal(200);
    expect(JSON.parse(deleted.body).done).to.have.length(1);
    expect((await ops.store.list()).total).to.equal(0);
    expect((await ops.store.list({ status: 'archived' })).messages.map((m) => m.statusBy)).to.deep.equal(['carol']);
  });

  it('every answer carries a CSP without inline scripts; no secret is shown (store URL masked, queues as addresses)', async () => {
    dashboard = await createDashboard({
      store: ops.store,
      storeName: 'postgres://ops:hunter2-password@db.internal/ops (schema oncebus_ops)',
      endpointQueues: ['rabbitmq://guest:hunter2-password@broker.internal/orders'],
    });
    const page = await http(dashboard.url);
    expect(page.status).to.equal(200);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).to.contain("script-src 'self'");
    expect(csp).not.to.contain('unsafe-inline');
    expect(csp).not.to.contain('unsafe-eval');
    expect(page.body).not.to.match(/<script>|<script [^>]*>[^<]/);
    const session = await http(`${dashboard.url}api/session`);
    const endpoints = await http(`${dashboard.url}api/endpoints`);
    expect(session.body).to.contain('postgres://ops:***@db.internal/ops');
    expect(JSON.parse(endpoints.body).queues[0].queue).to.equal('rabbitmq://broker.internal/orders');
    for (const answer of [session, endpoints]) expect(answer.body).not.to.contain('hunter2');
  });

  it('refuses to listen on 0.0.0.0 without a token (or with a short one), as a library and as `npx oncebus dashboard`', async () => {
    for (const options of [{ host: '0.0.0.0' }, { host: '0.0.0.0', token: 'short' }]) {
      let refused: unknown;
      await createDashboard({ store: ops.store, ...options }).catch((e: unknown) => (refused = e));
      expect(refused, JSON.stringify(options)).to.include({ code: 'ONCEBUS_CONFIGURATION' });
    }
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(['node', 'oncebus', 'dashboard', '--host', '0.0.0.0', '--store', `sqlite:${join(dir, 'ops.db')}`], { out: (t) => out.push(t), err: (t) => err.push(t) });
    expect(code).to.equal(2);
    expect(err.join('\n')).to.contain('without a token').and.to.contain('hint: give a token (--token, or ONCEBUS_DASHBOARD_TOKEN');
    expect(err.join('\n').split('give a token').length, 'the hint is printed once').to.equal(2);
    expect(out).to.deep.equal([]);

    // A key ring that cannot be read is a usage error naming the file and the shape expected.
    const ring = join(dir, 'bad-ring.json');
    writeFileSync(ring, JSON.stringify({ currentKeyId: 'k1', keys: { k1: 'c2hvcnQ=' } }));
    err.length = 0;
    const ringCode = await run(['node', 'oncebus', 'dashboard', '--key-ring', ring, '--store', `sqlite:${join(dir, 'ops.db')}`], { out: (t) => out.push(t), err: (t) => err.push(t) });
    expect(ringCode).to.equal(2);
    expect(err.join('\n')).to.contain(`--key-ring ${ring}`).and.to.contain('must be 32 bytes as base64').and.to.contain('"currentKeyId"');
    expect(out).to.deep.equal([]);
  });

  it('without fastify (an optional peer dependency) installed: an error naming the package to install', () => {
    // A preload that makes `fastify` unresolvable, as in an application that did not install it.
    const block = join(dir, 'no-fastify.cjs');
    writeFileSync(
      block,
      `const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'fastify') throw Object.assign(new Error("Cannot find module 'fastify'"), { code: 'MODULE_NOT_FOUND' });
  return resolve.call(this, request, ...rest);
};`,
    );
    const result = spawnSync(process.execPath, ['--require', block, BIN, 'dashboard', '--store', `sqlite:${join(dir, 'ops.db')}`], { encoding: 'utf8', timeout: 30_000 });
    expect(result.status, result.stderr).to.equal(1);
    expect(result.stderr).to.contain("the oncebus dashboard needs the package 'fastify', which is not installed").and.to.contain('hint: run npm install fastify');
  });

  it('`npx oncebus dashboard` prints its URL, serves the store, shows depths and idempotence rows, and stops on SIGINT', async () => {
    const endpoint = openSqliteStore();
    let child: ReturnType<typeof spawn> | undefined;
    try {
      await endpoint.store.ready();
      for (const uri of ['sqlite://default/cli-orders', 'sqlite://default/cli-orders-error']) {
        const queue = endpoint.queues.create(uri);
        if (isCreateQueue(queue)) await queue.create();
        if (uri.endsWith('orders')) {
          const waiting = { ...emptyTransportMessage(), messageId: 'waiting-1', messageType: 'test.PlaceOrder' };
          await queue.enqueue(waiting, serializeTransportMessage(waiting));
        }
        await queue.close();
      }
      const config = join(dir, 'orders.json');
      writeFileSync(config, JSON.stringify({ name: 'orders', inbox: { workQueueUri: 'sqlite://default/cli-orders', errorQueueUri: 'sqlite://default/cli-orders-error' } }));
      child = spawn(process.execPath, [BIN, 'dashboard', '--config', config, '--endpoint-store', `sqlite:${endpoint.file}`, '--by', 'dave'], {
        env: { ...process.env, ONCEBUS_OPS_STORE: `sqlite:${join(dir, 'ops.db')}` },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const started = child;
      let out = '';
      let err = '';
      started.stdout?.on('data', (b: Buffer) => (out += b.toString()));
      started.stderr?.on('data', (b: Buffer) => (err += b.toString()));
      const exited = new Promise<number | null>((resolve) => started.on('exit', (code) => resolve(code)));
      await eventually(() => /stop it with Ctrl\+C/.test(out) || started.exitCode !== null, 'the dashboard started', 20_000);
      const url = /oncebus dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
      expect(url, `${out}\n${err}`).to.be.a('string');
      expect(out).to.contain('returns are off');

      const listed = JSON.parse((await http(`${url}api/messages`)).body) as { total: number };
      expect(listed.total).to.equal(1);
      const endpoints = JSON.parse((await http(`${url}api/endpoints`)).body) as { queues: { queue: string; messages: number }[]; idempotence: { endpoints: unknown[] } };
      expect(endpoints.queues.map((q) => [q.queue, q.messages])).to.deep.equal([
        ['sqlite://default/cli-orders', 1],
        ['sqlite://default/cli-orders-error', 0],
      ]);
      expect(endpoints.idempotence.endpoints).to.deep.equal([]);
      expect(JSON.parse((await http(`${url}api/session`)).body).by).to.equal('dave');

      started.kill('SIGINT');
      expect(await exited, err).to.equal(0);
    } finally {
      // A failed assertion above leaves it running: it is this test's process to end.
      if (child?.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await endpoint.dispose();
    }
  });
});
