import type { SqlStore } from '../stores/sql/operations.js';

/** One endpoint's idempotence rows, as an operator reads them. */
export interface EndpointIdempotenceStats {
  /** The endpoint's inbox address (or `oncebus-session://<name>` for its transactional sessions). */
  readonly endpoint: string;
  /** Claims of units of work still open (a committed row is never 'assigned'). */
  readonly assigned: number;
  /** Committed work whose stored sends are still owed: an old one is a stuck flush. */
  readonly handled: number;
  readonly completed: number;
  /** When the oldest 'handled' row was claimed (epoch ms), or null. */
  readonly oldestHandledAt: number | null;
  /** Stored sends not yet dispatched (one per recipient). */
  readonly storedSends: number;
  /** Completed rows past their retention window, waiting for the purge (a backlog means the purge lags). */
  readonly purgeable: number;
}

/** A message's rows in the store: one per endpoint that saw it, with what it still owes. */
export interface MessageIdempotenceRow {
  readonly endpoint: string;
  readonly status: string;
  readonly messageType: string;
  readonly createdAt: number;
  readonly completedAt: number | null;
  readonly purgeAfter: number | null;
  /** The copy flushing its stored sends, and until when (epoch ms). */
  readonly flushLease: { readonly owner: string; readonly until: number } | null;
  readonly storedSends: readonly { readonly sequence: number; readonly messageId: string; readonly recipient: string }[];
}

const num = (v: unknown): number => Number(v ?? 0);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Rows by endpoint and status, stored sends and the retention backlog, read from a SQL store. */
export async function idempotenceStats(store: SqlStore, now = Date.now()): Promise<EndpointIdempotenceStats[]> {
  const s = store.dialect.idempotence;
  const [byStatus, sends, purgeable] = await Promise.all([
    store.database.query<{ inbox_uri: string; status: string; n: unknown; oldest: unknown }>(s.statsByStatus),
    store.database.query<{ inbox_uri: string; n: unknown }>(s.statsSends),
    store.database.query<{ inbox_uri: string; n: unknown }>(s.statsPurgeable, [now]),
  ]);
  const endpoints = new Map<string, { assigned: number; handled: number; completed: number; oldestHandledAt: number | null; storedSends: number; purgeable: number }>();
  const of = (uri: string) => {
    let e = endpoints.get(uri);
    if (!e) endpoints.set(uri, (e = { assigned: 0, handled: 0, completed: 0, oldestHandledAt: null, storedSends: 0, purgeable: 0 }));
    return e;
  };
  for (const r of byStatus) {
    const e = of(r.inbox_uri);
    if (r.status === 'assigned' || r.status === 'handled' || r.status === 'completed') e[r.status] += num(r.n);
    if (r.status === 'handled') e.oldestHandledAt = numOrNull(r.oldest);
  }
  for (const r of sends) of(r.inbox_uri).storedSends = num(r.n);
  for (const r of purgeable) of(r.inbox_uri).purgeable = num(r.n);
  return [...endpoints.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([endpoint, e]) => ({ endpoint, ...e }));
}

/** Every row a message has in the store (one per endpoint that saw it), with its stored sends. */
export async function idempotenceRowsOf(store: SqlStore, messageId: string): Promise<MessageIdempotenceRow[]> {
  const s = store.dialect.idempotence;
  const rows = await store.database.query<Record<string, unknown>>(s.rowsOf, [messageId]);
  const sends = await store.database.query<{ inbox_uri: string; sequence: unknown; outgoing_message_id: string; recipient_uri: string }>(s.storedSendsOf, [messageId]);
  return rows.map((r) => ({
    endpoint: String(r.inbox_uri),
    status: String(r.status),
    messageType: String(r.message_type),
    createdAt: num(r.created_at),
    completedAt: numOrNull(r.completed_at),
    purgeAfter: numOrNull(r.purge_after),
    flushLease: r.flush_owner ? { owner: String(r.flush_owner), until: num(r.flush_until) } : null,
    storedSends: sends.filter((d) => d.inbox_uri === r.inbox_uri).map((d) => ({ sequence: num(d.sequence), messageId: d.outgoing_message_id, recipient: d.recipient_uri })),
  }));
}
