import { expect } from 'chai';
import { createDashboard, type Dashboard } from '../../src/operations/dashboard/index.js';
import { type FailedMessageDetail, openOperationsStore, openTransports, returnFailedMessages } from '../../src/operations/errors/index.js';
import { connectionRecorder, http, type OpsBench, openOpsBench } from '../support/ops-bench.js';

// A failed message names its own return address (its oncebus-source-queue header): whoever put it in the
// error queue chose it. A return goes only to the transports the operator named; anything else is refused,
// shown as such, and nothing is sent — the operator's broker user is never offered to another host.
describe('returning a failed message that names a queue elsewhere (hostile source queue)', function () {
  this.timeout(30_000);
  let bench: OpsBench;
  let elsewhere: Awaited<ReturnType<typeof connectionRecorder>>;
  let dashboard: Dashboard | undefined;

  beforeEach(async () => {
    bench = await openOpsBench();
    elsewhere = await connectionRecorder();
  });
  afterEach(async () => {
    await dashboard?.close();
    dashboard = undefined;
    await elsewhere.close();
    await bench.dispose();
  });

  const brokerOfTheOperator = 'rabbitmq://ops:s3cret@127.0.0.1:5672';
  const forgeElsewhere = () => bench.forge({ headers: { 'oncebus-source-queue': `rabbitmq://127.0.0.1:${elsewhere.port}/orders` } });
  const recorded = async (): Promise<FailedMessageDetail> => {
    const { messages } = JSON.parse((await bench.errors('list', '--status', 'all', '--json')).out) as { messages: FailedMessageDetail[] };
    return messages[0]!;
  };

  it('errors return: refused and said so, exit 1, the record left unresolved, no connection to that host', async () => {
    await forgeElsewhere();
    expect((await bench.ingest()).code).to.equal(0);
    const returned = await bench.errors('return', '--all', '--transport', bench.transport, '--transport', brokerOfTheOperator);
    expect(returned.code, returned.err).to.equal(1);
    expect(returned.out).to.contain('returned 0').and.to.contain(`refused: its source queue rabbitmq://127.0.0.1:${elsewhere.port}/orders is not on a transport given here`);
    expect(`${returned.out}${returned.err}`).not.to.contain('s3cret');
    expect(elsewhere.connections(), 'connections to the host the message named').to.equal(0);
    expect((await recorded()).status).to.equal('unresolved');
  });

  it('returnFailedMessages: the refusal is in its report (skipped, with why), nothing sent', async () => {
    await forgeElsewhere();
    await bench.ingest();
    const ops = await openOperationsStore(bench.ops[1]!);
    const transports = await openTransports([bench.transport, brokerOfTheOperator]);
    try {
      const id = (await recorded()).id;
      const report = await returnFailedMessages(ops.store, transports.queues, [id], { by: 'alice' });
      expect(report.done).to.deep.equal([]);
      expect(report.skipped.map((s) => s.id)).to.deep.equal([id]);
      expect(report.skipped[0]!.reason).to.match(/^refused: /);
      expect(elsewhere.connections()).to.equal(0);
    } finally {
      await transports.close();
      await ops.close();
    }
  });

  it('the dashboard: POST /api/return answers it skipped, refused; nothing sent', async () => {
    await forgeElsewhere();
    await bench.ingest();
    const ops = await openOperationsStore(bench.ops[1]!);
    const transports = await openTransports([bench.transport, brokerOfTheOperator]);
    try {
      dashboard = await createDashboard({ store: ops.store, queues: transports.queues, by: 'alice' });
      const session = JSON.parse((await http(`${dashboard.url}api/session`)).body) as { csrfToken: string; csrfHeader: string };
      const answer = await http(`${dashboard.url}api/return`, { method: 'POST', body: { all: true }, headers: { [session.csrfHeader]: session.csrfToken } });
      expect(answer.status, answer.body).to.equal(200);
      const report = JSON.parse(answer.body) as { done: string[]; skipped: { reason: string }[] };
      expect(report.done).to.deep.equal([]);
      expect(report.skipped.map((s) => s.reason.slice(0, 9))).to.deep.equal(['refused: ']);
      expect(elsewhere.connections()).to.equal(0);
    } finally {
      await dashboard?.close();
      dashboard = undefined;
      await transports.close();
      await ops.close();
    }
  });

  it('a SQL source queue on a store not given here is refused before the return is stored (no return left half-done)', async () => {
    await bench.forge({ headers: { 'oncebus-source-queue': 'sqlite://elsewhere/orders' } });
    await bench.ingest();
    const returned = await bench.errors('return', '--all', '--transport', bench.transport);
    expect(returned.code).to.equal(1);
    expect(returned.out).to.contain('refused: no transport given here can send to its source queue sqlite://elsewhere/orders');
    expect((await recorded()).status).to.equal('unresolved');
  });
});

describe('returning a failed message that carries a forged oncebus-ignore-retention header', function () {
  this.timeout(30_000);
  let bench: OpsBench;

  beforeEach(async () => {
    bench = await openOpsBench();
  });
  afterEach(async () => bench.dispose());

  it('without --ignore-retention: the header does not go back with it', async () => {
    const forged = await bench.forge({ headers: { 'oncebus-ignore-retention': 'true' } });
    await bench.ingest();
    expect((await bench.errors('return', '--all', '--transport', bench.transport)).code).to.equal(0);
    const [back] = await bench.drainSource();
    expect(back?.messageId).to.equal(forged.messageId);
    expect(back?.headers).not.to.have.property('oncebus-ignore-retention');
  });

  it('with --ignore-retention (the operator asked): it goes back with the header', async () => {
    await bench.forge();
    await bench.ingest();
    expect((await bench.errors('return', '--all', '--ignore-retention', '--transport', bench.transport)).code).to.equal(0);
    const [back] = await bench.drainSource();
    expect(back?.headers['oncebus-ignore-retention']).to.equal('true');
  });
});
