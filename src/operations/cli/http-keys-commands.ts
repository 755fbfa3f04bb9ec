import { type Command, CommanderError, Option } from 'commander';
import { parseDuration } from '../../config/duration.js';
import { listHttpKeys } from '../http-keys/http-key-rows.js';
import { type HttpKeyView, httpKeyViews, MAX_SHOWN_SCOPES, scopesNamed, shownKey } from '../http-keys/http-key-view.js';
import { ago, table } from './format.js';
import type { CliOutput } from './main.js';
import { type StoreFlags, storeOptions, withStore } from './store-flags.js';

const STORE_DESCRIPTION = "the endpoints' SQL store whose http_keys table to read: sqlite:<file> or postgres://user:password@host/database";
const MAX_LIMIT = 1000;

interface ListFlags extends StoreFlags {
  readonly limit: string;
  readonly olderThan?: string;
  readonly status?: 'running' | 'completed';
  readonly scope?: string;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
/** The shared scope (routes without a principal) is stored as ''. */
const scopeText = (scope: string): string => (scope === '' ? '(shared)' : scope);

/** When a key stops holding its attempt, or whether it expired, for an operator's eye. */
function stateText(k: { status: string; lockedUntil: number | null; expiresAt: number }, now: number): string {
  if (k.expiresAt <= now) return `${k.status}, expired ${ago(now - k.expiresAt)} ago (acts as absent; the purge removes it)`;
  if (k.status !== 'running' || k.lockedUntil === null) return k.status;
  return k.lockedUntil >= now ? `running, its lease runs ${ago(k.lockedUntil - now)} more` : `running, its lease ran out ${ago(now - k.lockedUntil)} ago (the next retry takes it over)`;
}

function keyText(v: HttpKeyView, now: number): string {
  const lines = [
    `key ${v.key} in scope ${scopeText(v.scope)}`,
    `  status       ${stateText(v, now)}`,
    `  attempt      ${v.attempt}`,
    `  fingerprint  ${v.fingerprint}`,
    `  created      ${iso(v.createdAt)} (${ago(now - v.createdAt)} ago)`,
    `  completed    ${v.completedAt === null ? '-' : iso(v.completedAt)}`,
    `  expires      ${iso(v.expiresAt)}${v.expiresAt > now ? ` (in ${ago(v.expiresAt - now)})` : ''}`,
  ];
  if (v.lockedUntil !== null) lines.push(`  locked until ${iso(v.lockedUntil)}`);
  const r = v.response;
  if (r === null) {
    lines.push('response: none stored yet (the route is running, or its attempt died and the lease frees the key)');
    return lines.join('\n');
  }
  lines.push(`response ${r.status}, ${r.body.bytes} bytes of body`);
  for (const [name, value] of r.headers) lines.push(`  ${name}: ${value}`);
  if (r.headersNote) lines.push(`  (${r.headersNote})`);
  lines.push(`body (${r.body.kind})${r.body.note ? `: ${r.body.note}` : ''}`);
  if (r.body.text) lines.push(r.body.text);
  return lines.join('\n');
}

/**
 * `oncebus http-keys list|show`: the HTTP Idempotency-Keys of an endpoints' store — the newest first, or one
 * key with the response it stored (what a retry gets back). Read-only.
 */
export function addHttpKeyCommands(cli: Command, io: CliOutput, results: { notFound(message: string): Error }): void {
  const keys = cli.command('http-keys').description("HTTP Idempotency-Keys in an endpoints' store (oncebus/http): the newest, one key and its stored response");

  storeOptions(keys.command('list'), STORE_DESCRIPTION)
    .description('keys the newest first: created, age, scope, key, status, response status and size, expiry')
    .option('--limit <n>', `at most this many (1-${MAX_LIMIT})`, '50')
    .option('--older-than <duration>', 'only keys created longer ago than this (e.g. 1h)')
    .addOption(new Option('--status <status>', 'only running or only completed keys').choices(['running', 'completed']))
    .option('--scope <scope>', "only this scope: the route's principal() as it returned it (or the stored sha256:… form)")
    .action(async (flags: ListFlags) => {
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new CommanderError(2, 'oncebus.limit', `error: --limit takes a whole number from 1 to ${MAX_LIMIT}`);
      const olderThan = flags.olderThan === undefined ? undefined : parseDuration(flags.olderThan, '--older-than');
      const now = Date.now();
      await withStore(flags, async ({ store, where }) => {
        const found = await listHttpKeys(store, {
          createdBefore: olderThan === undefined ? undefined : now - olderThan,
          status: flags.status,
          scopes: flags.scope === undefined ? undefined : scopesNamed(flags.scope),
          limit,
        });
        const listed = found.keys.map(shownKey);
        if (flags.json) {
          const keysJson = listed.map((k) => ({ ...k, created: iso(k.createdAt), completed: iso(k.completedAt), expires: iso(k.expiresAt), expired: k.expiresAt <= now, ageMs: now - k.createdAt }));
          io.out(JSON.stringify({ store: where, at: iso(now), more: found.more, keys: keysJson }, null, 2));
          return;
        }
        const status = flags.status ? ` ${flags.status}` : '';
        const which = `${flags.scope === undefined ? '' : ` in scope ${scopeText(flags.scope)}`}${olderThan === undefined ? '' : ` created longer ago than ${flags.olderThan}`}`;
        if (listed.length === 0) {
          io.out(`no${status} HTTP keys${which} in ${where}`);
          return;
        }
        const rows = listed.map((k) => [
          iso(k.createdAt)!,
          ago(now - k.createdAt),
          scopeText(k.scope),
          k.key,
          k.expiresAt <= now ? `${k.status} (expired)` : k.status,
          k.responseStatus === null ? '-' : k.responseStatus,
          k.responseStatus === null ? '-' : k.bodyBytes,
          k.expiresAt > now ? `in ${ago(k.expiresAt - now)}` : 'expired',
        ]);
        const shown = found.more ? ` (the newest ${listed.length}; --limit shows more)` : '';
        io.out(`${listed.length}${status} HTTP key(s)${which} in ${where}${shown}, the newest first\n${table(['created', 'age', 'scope', 'key', 'status', 'response', 'body bytes', 'expires'], rows)}`);
      });
    });

  storeOptions(keys.command('show'), STORE_DESCRIPTION)
    .description('one key: scope, status, attempt, fingerprint, times, and the stored response (status, headers, body) a retry gets back — masked and bounded')
    .argument('<key>', 'the Idempotency-Key as the client sent it (unquoted)')
    .option('--scope <scope>', "its scope: the route's principal() as it returned it (or the stored sha256:… form); without it, the key in every scope (a scan of the table)")
    .action(async (key: string, flags: StoreFlags & { scope?: string }) => {
      const now = Date.now();
      await withStore(flags, async ({ store, where }) => {
        const views = await httpKeyViews(store, key, flags.scope, now);
        const scoped = flags.scope === undefined ? '' : ` in scope ${scopeText(flags.scope)}`;
        if (views.length === 0) throw results.notFound(`no HTTP key ${key}${scoped} in ${where}`);
        if (flags.json) {
          const json = views.map((v) => ({ ...v, created: iso(v.createdAt), completed: iso(v.completedAt), expires: iso(v.expiresAt), lockedUntilIso: iso(v.lockedUntil) }));
          io.out(JSON.stringify({ store: where, at: iso(now), key, scope: flags.scope ?? null, records: json }, null, 2));
          return;
        }
        const more = views.length === MAX_SHOWN_SCOPES ? `\n(the first ${MAX_SHOWN_SCOPES} scopes holding it: give --scope for another)` : '';
        io.out(`${views.map((v) => keyText(v, now)).join('\n\n')}${more}`);
      });
    });
}
