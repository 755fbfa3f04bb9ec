import { StoreError } from '../../errors/errors.js';
import { MemoryUnitOfWork } from '../../idempotence/memory/index.js';
import { type ITransactionalSession, sessionUnitOfWork } from '../../sessions/transactional-session.js';
import type { HttpKeyRecord, IHttpKeyStore, KeyClaim, StoredResponse } from './http-key-store.js';

/** One memory store's keys, by scope and key; `completing` marks a row whose holder's completion awaits its commit. */
interface MemoryKeyTable {
  readonly rows: Map<string, { record: HttpKeyRecord; completing: boolean }>;
  lastSweep: number;
}

/** Process-wide, as the memory idempotence store's rows are: one table per memory store (its storeId). */
const tables = new Map<string, MemoryKeyTable>();

const SWEEP_EVERY_MS = 60_000;
const idOf = (scope: string, key: string): string => `${scope}\u0000${key}`;

function tableOf(storeId: string): MemoryKeyTable {
  let table = tables.get(storeId);
  if (!table) tables.set(storeId, (table = { rows: new Map(), lastSweep: 0 }));
  return table;
}

/** The keys of a memory store as they stand (tests and tools read them). */
export function memoryHttpKeys(storeId: string): readonly HttpKeyRecord[] {
  return [...(tables.get(storeId)?.rows.values() ?? [])].map((r) => r.record);
}

/**
 * Keys beside the MemoryIdempotenceStore. The claim-side writes (insert, take-over, free) are applied at
 * once, each a synchronous check-and-set: the in-process equivalent of the short transactions they run in
 * on a SQL store. A completion is applied when the route's unit of work commits (MemoryTransaction.onCommit),
 * so a rolled-back route leaves the key running; from the completion until that unit of work ends the row
 * is marked `completing` and refuses a take-over, as a SQL row lock would make the take-over wait and then
 * find the row completed. Expired rows are swept at most once a minute, on a claim.
 */
export class MemoryHttpKeyStore implements IHttpKeyStore {
  async insert(session: ITransactionalSession, c: KeyClaim): Promise<boolean> {
    const table = this.tableFor(session);
    this.sweep(table, c.now);
    const id = idOf(c.scope, c.key);
    if (table.rows.has(id)) return false;
    table.rows.set(id, { record: running(c), completing: false });
    return true;
  }

  async find(session: ITransactionalSession, scope: string, key: string): Promise<HttpKeyRecord | undefined> {
    return this.tableFor(session).rows.get(idOf(scope, key))?.record;
  }

  async takeOver(session: ITransactionalSession, c: KeyClaim, previousAttempt: string): Promise<boolean> {
    const row = this.tableFor(session).rows.get(idOf(c.scope, c.key));
    if (!row || row.completing || row.record.attempt !== previousAttempt) return false;
    const { status, lockedUntil, expiresAt } = row.record;
    if (!((status === 'running' && lockedUntil !== null && lockedUntil < c.now) || expiresAt <= c.now)) return false;
    row.record = running(c);
    return true;
  }

  async complete(session: ITransactionalSession, scope: string, key: string, attempt: string, response: StoredResponse, now: number): Promise<boolean> {
    const uow = this.unitOfWorkOf(session);
    const row = tableOf(uow.storeId).rows.get(idOf(scope, key));
    if (!row || row.completing || row.record.attempt !== attempt || row.record.status !== 'running') return false;
    row.completing = true;
    const body = Uint8Array.from(response.body);
    uow.transaction.onCommit(() => {
      row.record = { ...row.record, status: 'completed', lockedUntil: null, completedAt: now, response: { ...response, body } };
    });
    uow.transaction.onEnd(() => {
      row.completing = false;
    });
    return true;
  }

  async free(session: ITransactionalSession, scope: string, key: string, attempt: string): Promise<void> {
    const rows = this.tableFor(session).rows;
    const row = rows.get(idOf(scope, key));
    if (row && !row.completing && row.record.attempt === attempt && row.record.status === 'running') rows.delete(idOf(scope, key));
  }

  private sweep(table: MemoryKeyTable, now: number): void {
    if (now - table.lastSweep < SWEEP_EVERY_MS) return;
    table.lastSweep = now;
    for (const [id, row] of table.rows) if (!row.completing && row.record.expiresAt < now) table.rows.delete(id);
  }

  private tableFor(session: ITransactionalSession): MemoryKeyTable {
    return tableOf(this.unitOfWorkOf(session).storeId);
  }

  private unitOfWorkOf(session: ITransactionalSession): MemoryUnitOfWork {
    const uow = sessionUnitOfWork(session);
    if (!(uow instanceof MemoryUnitOfWork)) throw new StoreError('the memory HTTP key store needs a session of the memory idempotence store');
    return uow;
  }
}

function running(c: KeyClaim): HttpKeyRecord {
  return {
    scope: c.scope,
    key: c.key,
    fingerprint: c.fingerprint,
    status: 'running',
    attempt: c.attempt,
    lockedUntil: c.lockedUntil,
    response: null,
    createdAt: c.now,
    completedAt: null,
    expiresAt: c.expiresAt,
  };
}
