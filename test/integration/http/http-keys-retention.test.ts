import 'reflect-metadata';
import { expect } from 'chai';
import { Container } from 'inversify';
import { selectHttpKeyStore } from '../../../src/http/persistence/select-http-key-store.js';
import { addOncebus, createSilentLogger, type IServiceBus, TYPES } from '../../../src/index.js';
import { eventually } from '../../support/latch.js';
import { requireService } from '../../support/integration.js';
import { openPostgresStore, openSqliteStore, postgresAvailable } from '../../support/sql-subjects.js';

// Expired keys leave through the store's retention purge, on its own timer — also when the idempotence rows
// are kept forever (no windowMs), since every key row carries its own expires_at.
for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`HTTP keys: the ${kind} store's retention purge removes expired keys`, function () {
    this.timeout(30_000);

    it('on its timer, with idempotence rows kept forever: expired keys go (running or completed), live ones stay', async function () {
      if (kind === 'postgres') requireService(this, 'PostgreSQL', await postgresAvailable());
      const store = kind === 'postgres' ? openPostgresStore() : openSqliteStore();
      let bus: IServiceBus | null = null;
      try {
        const c = new Container();
        c.bind(TYPES.QueueFactory).toConstantValue(store.queues);
        c.bind(TYPES.IdempotenceServiceFactory).toConstantValue(store.idempotence({ windowMs: undefined, intervalMs: 50 }));
        c.bind(TYPES.Logger).toConstantValue(createSilentLogger());
        addOncebus(c, { name: 'web' });
        bus = c.get<IServiceBus>(TYPES.ServiceBus);
        await bus.start();
        const now = Date.now();
        const claim = (key: string, expiresAt: number) => ({ scope: 's', key, fingerprint: 'f', attempt: `a-${key}`, now, lockedUntil: now - 1, expiresAt });
        await bus.withTransaction(async (session) => {
          const keys = selectHttpKeyStore(session);
          await keys.insert(session, claim('expired-running', now - 10));
          await keys.insert(session, claim('expired-completed', now - 10));
          await keys.complete(session, 's', 'expired-completed', 'a-expired-completed', { status: 200, headers: {}, body: new Uint8Array(0) }, now);
          await keys.insert(session, claim('live', now + 3_600_000));
        });
        const left = () => bus!.withTransaction(async (session) => {
          const keys = selectHttpKeyStore(session);
          const found: string[] = [];
          // One statement at a time: a transaction's connection runs one query at once.
          for (const k of ['expired-running', 'expired-completed', 'live']) if (await keys.find(session, 's', k)) found.push(k);
          return found;
        });
        await eventually(async () => (await left()).length === 1, 'the purge ran');
        expect(await left()).to.deep.equal(['live']);
      } finally {
        await bus?.stop().catch(() => undefined);
        await store.dispose();
      }
    });
  });
}
