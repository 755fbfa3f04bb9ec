// The chaos run's web process: it places orders through transactional sessions — each order's row and
// its Work message in one transaction of the run's database (PostgreSQL, or the SQLite file) — while the
// harness SIGKILLs it at random and at named points of the dispatch. Orders are slots P-0 … P-(SESSIONS-1);
// a restarted producer skips the slots whose row exists (the primary key refuses a second row: that session
// rolls back and sends nothing). Its sweeper dispatches what a killed producer committed and never sent.
// Runs until SIGTERM.
import 'reflect-metadata';
import { Container } from 'inversify';
import { FaultInjectionModule } from '../../src/faults/fault-injection-module.js';
import { addOncebus, createSilentLogger, type IServiceBus, type ITransactionalSession, TYPES } from '../../src/index.js';
import { openChaosDatabase } from './chaos-database.js';
import { type ChaosConfig, chaosQueue, SESSION_ORDER_BASE, sessionWorkId, Work } from './chaos-messages.js';
import { chaosTransport } from './chaos-transport.js';

const cfg = JSON.parse(process.env.CHAOS_CONFIG ?? '{}') as ChaosConfig;
const SESSIONS = Number(process.env.SESSIONS ?? 0);
const db = await openChaosDatabase(cfg, 'producer');
const transport = chaosTransport(cfg, db.queues);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const c = new Container();
c.bind(TYPES.QueueFactory).toConstantValue(transport.factory);
c.bind(TYPES.IdempotenceServiceFactory).toConstantValue(db.store.idempotence({ flushLeaseMs: 2000 }));
c.bind(TYPES.Logger).toConstantValue(createSilentLogger());
const fault = FaultInjectionModule.fromSpec(process.env.FAULT);
if (fault) c.bind(TYPES.Module).toConstantValue(fault);
addOncebus(c, { name: 'web', routes: [{ uri: chaosQueue(cfg, 'work'), specifications: [{ types: [Work] }] }], sessionSweepInterval: '500ms', stopTimeout: '5s' });
const web = c.get<IServiceBus>(TYPES.ServiceBus);

let stopping = false;
process.on('SIGTERM', () => {
  stopping = true;
  void web
    .stop()
    .then(() => transport.close())
    .then(() => db.close(false))
    .finally(() => process.exit(0));
});

for (let attempt = 1; !web.started; attempt++) {
  try {
    await web.start();
  } catch (error) {
    if (attempt >= 60) throw error;
    await sleep(500);
  }
}

/** One order: its row and its Work in one transaction; false when its row exists already. */
async function place(i: number): Promise<boolean> {
  const orderId = `P-${i}`;
  const [exists] = await db.store.database.query(`SELECT 1 FROM ${db.table('orders')} WHERE order_id = $1`, [orderId]);
  if (exists) return false;
  await web.withTransaction(async (session: ITransactionalSession<unknown>) => {
    await db.inTransaction(session.transaction, `INSERT INTO ${db.table('orders')} (order_id, session_id) VALUES ($1, $2)`, [orderId, session.id]);
    await session.send(new Work(SESSION_ORDER_BASE + i, i % 10 === 3, false), { messageId: sessionWorkId(orderId) });
  });
  return true;
}

for (let i = 0; i < SESSIONS && !stopping; i++) {
  for (;;) {
    try {
      if (await place(i)) await sleep(10); // a stream: kills land between and inside sessions
      break;
    } catch {
      await sleep(200); // the database or broker is restarting, or another producer placed it: again
    }
  }
}
process.stdout.write('placed\n');
