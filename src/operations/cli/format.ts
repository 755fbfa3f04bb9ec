import { cellText } from './terminal-text.js';
import type { EndpointIdempotenceStats, MessageIdempotenceRow } from '../idempotence-report.js';

/** '12s', '3m 05s', '2h 10m', '4d 3h': how long ago, for an operator's eye. */
export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/** Columns padded to their widest cell; numbers right-aligned; each cell on one line, its controls escaped. */
export function table(header: readonly string[], cells: readonly (readonly (string | number)[])[]): string {
  const rows = cells.map((r) => r.map((c) => (typeof c === 'number' ? c : cellText(c))));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: readonly (string | number)[]) =>
    cells.map((c, i) => (typeof c === 'number' ? String(c).padStart(widths[i]!) : String(c).padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function statsText(where: string, stats: readonly EndpointIdempotenceStats[], now: number): string {
  if (stats.length === 0) return `no idempotence rows in ${where}`;
  const rows = stats.map((e) => [e.endpoint, e.assigned, e.handled, e.completed, e.storedSends, e.purgeable, e.oldestHandledAt === null ? '-' : `${ago(now - e.oldestHandledAt)} ago`]);
  return `idempotence rows in ${where}\n${table(['endpoint', 'assigned', 'handled', 'completed', 'stored sends', 'purgeable', 'oldest handled'], rows)}`;
}

export function rowsText(messageId: string, rows: readonly MessageIdempotenceRow[], now: number): string {
  const blocks = rows.map((r) => {
    const lines = [`${r.endpoint}: ${r.status} (${r.messageType}), claimed ${new Date(r.createdAt).toISOString()}`];
    if (r.completedAt !== null) lines.push(`  completed ${new Date(r.completedAt).toISOString()}${r.purgeAfter !== null ? `, purged after ${new Date(r.purgeAfter).toISOString()}` : ', kept forever'}`);
    if (r.flushLease) lines.push(`  flush lease held by ${r.flushLease.owner} ${r.flushLease.until > now ? `for ${ago(r.flushLease.until - now)} more` : `(ran out ${ago(now - r.flushLease.until)} ago)`}`);
    for (const d of r.storedSends) lines.push(`  owes #${d.sequence} ${d.messageId} → ${d.recipient}`);
    return lines.join('\n');
  });
  return `message ${messageId}\n${blocks.join('\n')}`;
}
