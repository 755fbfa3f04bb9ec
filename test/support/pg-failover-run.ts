import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { TYPES } from '../../src/di/tokens.js';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import { PostgresStore } from '../../src/stores/postgres/index.js';
import { MemoryWorld } from './memory-endpoint.js';
import { PlaceOrder } from './messages.js';
import { holdWalSender, killNode, otherPort, PAIR_URL, primaryPort, promote, rejoin, setMode, sleep } from './pg-pair.js';

/** What one run measured. `lost` and `duplicatedEffects` are the audit; the rest says how it went. */
export interface FailoverFigures {
  readonly mode: 'sync' | 'async';
  readonly messages: number;
  /** Failovers done (fewer than asked when the stream ended first). */
  readonly failovers: number;
  /** Messages the endpoint acknowledged (the broker forgot them): handled, or found handled already. */
  readonly acknowledged: number;
  /** Messages with their effect row on the final primary. */
  readonly effects: number;
  /** Acknowledged messages whose effect is not on the final primary: the commit went down with a primary. */
  readonly lost: number;
  /** Messages whose effect row is there more than once (the idempotence failed). */
  readonly duplicatedEffects: number;
  /** Messages whose handler ran more than once (a side effect outside the database would repeat). */
  readonly handledMoreThanOnce: number;
  /** Per failover: ms from the kill to the first message handled on the new primary (detection included). */
  readonly stallsMs: readonly number[];
  /** Per failover: ms the old primary took to come back as the new primary's standby. */
  readonly rejoinMs: readonly number[];
  readonly durationMs: number;
}

export interface FailoverRunOptions {
  readonly mode: 'sync' | 'async';
  readonly messages: number;
  readonly failovers: number;
  /** How long the primary's WAL sender is held back before the primary dies (the unreplicated window). */
  readonly holdMs: number;
  /** Between the kill and pg_promote(): the time a failure detector takes. */
  readonly detectMs?: number;
  readonly log?: (line: string) => void;
}

/** The run's state the handler writes to (one run at a time in a process). */
const current = { schema: '', runs: new Map<string, number>() };

@handlesMessage(PlaceOrder)
class RecordsTheOrder implements IMessageHandler<PlaceOrder, pg.PoolClient> {
  async handle(ctx: IHandlerContext<PlaceOrder, pg.PoolClient>): Promise<void> {
    const id = ctx.transportMessage.messageId;
    current.runs.set(id, (current.runs.get(id) ?? 0) + 1);
    await ctx.transaction.query(`INSERT INTO ${current.schema}.effects (message_id) VALUES ($1)`, [id]);
  }
}

/**
 * An idempotent endpoint (PostgreSQL store on the pair; memory queues, so the broker is apart from the
 * database as RabbitMQ would be, and nothing but the database fails) consumes a stream of messages while
 * the primary dies `failovers` times: each time the primary's WAL sender is held back for `holdMs`, the
 * primary's processes are SIGKILLed, the standby promoted, and the old primary rebuilt as its standby.
 * At the end the effects on the final primary are audited against what the endpoint acknowledged.
 */
export async function runFailoverStream(options: FailoverRunOptions): Promise<FailoverFigures> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  await rejoin();
  await setMode(options.mode);
  const schema = `fo_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  current.schema = schema;
  current.runs = new Map();
  const store = new PostgresStore({
    connectionString: PAIR_URL,
    schema,
    connectTimeoutMs: 2000,
    requireSynchronousReplication: options.mode === 'sync',
  });
  const world = new MemoryWorld();
  const name = `failover-${schema}`;
  const acknowledged = new Set<string>();
  let lastHandledAt = 0;
  const stallsMs: number[] = [];
  const rejoinMs: number[] = [];
  try {
    await store.store.ready();
    await store.database.execute(`CREATE TABLE ${schema}.effects (message_id text NOT NULL)`);
    const { bus } = world.endpoint(
      name,
      { handlers: [RecordsTheOrder], idempotence: true, inbox: { workQueueUri: `memory://${name}`, errorQueueUri: `memory://${name}-error`, threadCount: 4, maximumFailureCount: 5, durationToSleepWhenIdle: ['5ms', '50ms', '200ms'] } },
      [],
      (c) => c.rebind(TYPES.IdempotenceServiceFactory).toConstantValue(store.idempotence()),
    );
    bus.events.on('messageHandled', (tm) => {
      acknowledged.add(tm.messageId);
      lastHandledAt = Date.now();
    });
    for (const event of ['messageIgnored', 'messageFlushed'] as const) bus.events.on(event, (tm) => acknowledged.add(tm.messageId));
    if (process.env.PG_FAILOVER_DEBUG) {
      let shown = 0;
      bus.events.on('messageReleased', (_tm, error) => {
        if (shown++ < 40) log(`  ${new Date().toISOString().slice(17, 23)} released: ${String(error).slice(0, 160)}`);
      });
    }
    await bus.start();
    const sent: string[] = [];
    for (let i = 0; i < options.messages; i++) sent.push((await bus.send(new PlaceOrder(`o${i}`, i), { local: true })).messageId);

    for (let f = 0; f < options.failovers; f++) {
      const threshold = Math.floor(((f + 1) * options.messages) / (options.failovers + 1));
      while (acknowledged.size < threshold) await sleep(10);
      if (acknowledged.size >= options.messages) {
        log(`the stream ended before failover ${f + 1}: give more messages`);
        break;
      }
      const primary = await primaryPort();
      if (primary === null) throw new Error('no primary before the failover');
      const standby = otherPort(primary);
      await holdWalSender(primary);
      await sleep(options.holdMs);
      const killedAt = Date.now();
      log(`  ${new Date(killedAt).toISOString().slice(17, 23)} kill ${primary}`);
      await killNode(primary);
      await sleep(options.detectMs ?? 300);
      await promote(standby);
      const promotedAt = Date.now();
      log(`  ${new Date(promotedAt).toISOString().slice(17, 23)} promoted ${standby}`);
      // The old primary comes back as the new one's standby (in sync mode commits wait for it).
      const rejoined = rejoin().then(() => rejoinMs.push(Date.now() - promotedAt));
      // Messages acknowledged between the kill and the promotion had committed before the kill: the stall
      // ends at the first message handled on the new primary.
      while (lastHandledAt <= promotedAt && acknowledged.size < options.messages && Date.now() - killedAt < 60_000) await sleep(5);
      stallsMs.push(lastHandledAt - killedAt);
      await rejoined;
      log(`failover ${f + 1}: ${primary} → ${standby}, stall ${stallsMs.at(-1)} ms, promoted after ${promotedAt - killedAt} ms, rejoined in ${rejoinMs.at(-1)} ms, acknowledged ${acknowledged.size}/${options.messages}`);
    }

    // Drained: every message settled (acknowledged, or gone to the error queue) and the queue empty.
    const deadline = Date.now() + 60_000;
    while (world.count(name) > 0 && Date.now() < deadline) await sleep(20);
    await bus.stop();
    // The audit reads the new primary: right after a rejoin the store may still be re-checking which listed
    // host takes writes (an infrastructure error the bus retries by itself), so it retries too, bounded.
    const audit = `SELECT message_id, count(*)::int AS n FROM ${schema}.effects GROUP BY message_id`;
    let rows: { message_id: string; n: number }[] | undefined;
    for (const until = Date.now() + 30_000; rows === undefined; ) {
      rows = await store.database.query<{ message_id: string; n: number }>(audit).catch((error: unknown) => {
        if (Date.now() > until) throw error;
        return undefined;
      });
      if (rows === undefined) await sleep(200);
    }
    const effects = new Map(rows.map((r) => [r.message_id, r.n]));
    const lost = sent.filter((id) => acknowledged.has(id) && !effects.has(id)).length;
    return {
      mode: options.mode,
      messages: options.messages,
      failovers: stallsMs.length,
      acknowledged: sent.filter((id) => acknowledged.has(id)).length,
      effects: effects.size,
      lost,
      duplicatedEffects: rows.filter((r) => r.n > 1).length,
      handledMoreThanOnce: [...current.runs.values()].filter((n) => n > 1).length,
      stallsMs,
      rejoinMs,
      durationMs: Date.now() - started,
    };
  } finally {
    await world.stopAll().catch(() => undefined);
    await store.database.execute(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await store.close().catch(() => undefined);
  }
}
