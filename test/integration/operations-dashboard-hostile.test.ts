import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import { createDashboard, type Dashboard } from '../../src/operations/dashboard/index.js';
import { openOperationsStore } from '../../src/operations/errors/index.js';
import { http, type OpsBench, openOpsBench } from '../support/ops-bench.js';

// What a dashboard view costs and answers is bounded, whatever the failed messages hold: their sender
// controls the size of the body, the headers, the failure lines, the stack, and how many groups there are.
describe('the dashboard under hostile failed messages: every answer bounded', function () {
  this.timeout(120_000);
  let bench: OpsBench;
  let ops: Awaited<ReturnType<typeof openOperationsStore>>;
  let dashboard: Dashboard;

  beforeEach(async () => {
    bench = await openOpsBench();
    ops = await openOperationsStore(bench.ops[1]!);
    dashboard = await createDashboard({ store: ops.store, by: 'alice' });
  });
  afterEach(async () => {
    await dashboard?.close();
    await ops?.close();
    await bench?.dispose();
  });

  /** GET on the dashboard: the answer, parsed, its size and how long it took. */
  async function get<T>(path: string): Promise<{ status: number; json: T; chars: number; ms: number }> {
    const started = performance.now();
    const answer = await http(`${dashboard.url}${path}`);
    return { status: answer.status, json: JSON.parse(answer.body) as T, chars: answer.body.length, ms: performance.now() - started };
  }
  type Body = { kind: string; text: string; bytes: number; note: string | null };
  type View = { body: Body; headers: [string, string][]; headersOmitted: number; failures: string[]; failuresOmitted: number; stack: string | null };

  const ingested = async (messageId: string): Promise<string> => {
    expect((await bench.ingest()).code).to.equal(0);
    return (await ops.store.get(messageId))!.id;
  };

  it('a 50 MB JSON body: its view answers in seconds, the first 256 KiB re-indented, saying it is cut', async () => {
    const body = Buffer.from(`[${'1,'.repeat(25 * 1024 * 1024)}1]`);
    const id = await ingested((await bench.forge({ messageId: 'big-body', message: body })).messageId);
    const view = await get<View>(`api/messages/${id}`);
    expect(view.status).to.equal(200);
    expect(view.ms, 'ms to answer (it took 13 s when the whole body was re-indented before the cut)').to.be.below(6000);
    expect(view.json.body.kind).to.equal('json');
    expect(view.json.body.text.length).to.be.at.most(256 * 1024);
    expect(view.json.body.text.startsWith('[\n  1,\n  1,')).to.equal(true);
    expect(view.json.body.note).to.contain(`the first 262144 bytes of ${body.length}`);
    // The page polls it: its bytes are decoded once, not at every poll.
    const again = await get<View>(`api/messages/${id}`);
    expect(again.json.body.text).to.equal(view.json.body.text);
    expect(again.ms, 'ms to answer a poll of it').to.be.below(1000);
  });

  it('a body nested 20,000 deep: shown with its indentation capped, not a 500', async () => {
    const deep = Buffer.from(`${'['.repeat(20_000)}${']'.repeat(20_000)}`);
    const id = await ingested((await bench.forge({ messageId: 'deep-body', message: deep })).messageId);
    const view = await get<View>(`api/messages/${id}`);
    expect(view.status, JSON.stringify(view.json).slice(0, 300)).to.equal(200);
    expect(view.json.body.text.length).to.be.at.most(256 * 1024);
    expect(view.json.body.text.split('\n').every((line) => line.length <= 64 + 1), 'indented at most 32 levels').to.equal(true);
  });

  it('a 20 MB header, 2,000 failure lines of 1 KB and a 5 MB stack: each bounded, the view under 1 MB', async () => {
    const failures = Array.from({ length: 2000 }, (_, i) => `2026-12-03T10:00:00.000Z shop Error: failure ${i} ${'f'.repeat(1000)}`);
    const forged = await bench.forge({
      messageId: 'big-fields',
      failureMessages: failures,
      headers: { 'x-huge': 'h'.repeat(20 * 1024 * 1024), 'oncebus-exception-stack': `Error: deep\n${'    at frame\n'.repeat(400_000)}` },
    });
    const view = await get<View>(`api/messages/${await ingested(forged.messageId)}`);
    expect(view.status).to.equal(200);
    expect(view.chars, 'characters answered').to.be.below(1024 * 1024);
    expect(view.json.headers.find(([name]) => name === 'x-huge')![1]).to.match(/^h{16384}… \(cut: \d+ more characters\)$/);
    expect(view.json.failures).to.have.length(100);
    expect(view.json.failuresOmitted).to.equal(1900);
    expect(view.json.failures.at(-1)).to.contain('failure 1999');
    expect(view.json.stack!.length).to.be.below(65 * 1024);
  });

  it('a failure line of 5 MB: the list of messages answers under 100 KB', async () => {
    await bench.forge({ messageId: 'long-failure', failureMessages: [`2026-12-03T10:00:00.000Z shop Error: ${'x'.repeat(5 * 1024 * 1024)}`] });
    await bench.ingest();
    const list = await get<{ total: number }>('api/messages');
    expect(list.json.total).to.equal(1);
    expect(list.chars).to.be.below(100 * 1024);
    const groups = await get<{ groups: unknown[] }>('api/groups');
    expect(groups.chars).to.be.below(100 * 1024);
  });

  it('a gzip body that inflates to 64 MB: too large to show, never inflated past the bound', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20), { level: 9 });
    const id = await ingested((await bench.forge({ messageId: 'gzip-bomb', message: bomb, compressionAlgorithm: 'gzip' })).messageId);
    const view = await get<View>(`api/messages/${id}`);
    expect(view.status).to.equal(200);
    expect(view.json.body).to.deep.include({ kind: 'too-large', text: '', bytes: bomb.length });
    expect(view.json.body.note).to.contain('too large to show');
  });

  it('300 failure groups: /api/groups answers a page of 25, with how many groups and messages there are', async () => {
    for (let i = 0; i < 300; i++) await bench.forge({ messageId: `g-${i}`, messageType: `shop.Type${i}` });
    await bench.ingest();
    const first = await get<{ page: number; limit: number; total: number; messages: number; groups: { title: string }[] }>('api/groups');
    expect(first.json).to.deep.include({ page: 1, limit: 25, total: 300, messages: 300 });
    expect(first.json.groups).to.have.length(25);
    const last = await get<{ groups: unknown[] }>('api/groups?page=12');
    expect(last.json.groups).to.have.length(25);
    const past = await get<{ groups: unknown[] }>('api/groups?page=13');
    expect(past.json.groups).to.have.length(0);
  });

  it("a message type of 156 KB of '//a:' (what made the masking regex quadratic): the list and the groups answer in under 2 s", async () => {
    const type = '//a:'.repeat(39_000);
    // As an endpoint records it: the failure names the type it has no handler for.
    await bench.forge({ messageId: 'redos', messageType: type, failureMessages: [`2026-12-03T10:00:00.000Z shop NoHandlerError: no handler for message type '${type}'`] });
    await bench.ingest();
    for (const path of ['api/messages', 'api/groups']) {
      const answer = await get<unknown>(path);
      expect(answer.status, path).to.equal(200);
      expect(answer.ms, `ms to answer ${path} (8-13 s per poll before)`).to.be.below(2000);
    }
  });

  it('a password in a failure: masked in the group titles of /api/groups and /api/messages?group=', async () => {
    await bench.forge({ messageId: 'leaky', failureMessages: ['2026-12-03T10:00:00.000Z shop Error: cannot reach postgres://app:s3cret@db/orders'] });
    await bench.ingest();
    const groups = await get<{ groups: { id: string; title: string }[] }>('api/groups');
    expect(groups.json.groups[0]!.title).to.contain('postgres://app:***@db/orders');
    const listed = await http(`${dashboard.url}api/messages?group=${groups.json.groups[0]!.id}`);
    for (const answer of [JSON.stringify(groups.json), listed.body]) expect(answer).not.to.contain('s3cret');
  });
});
