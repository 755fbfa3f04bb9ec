// #/http-keys?status=&older=&scope= : the endpoints' HTTP Idempotency-Keys (oncebus/http), the newest first;
// `older` keeps the keys created longer ago than it (5m, 1h, 1d), `status` the running or completed ones.
import type { HttpKeysAnswer } from '../api-types.js';
import { api } from './api.js';
import { empty, frag, h, section, table, time } from './dom.js';
import { link, paramsOf, route } from './routes.js';
import { state } from './state.js';
import type { View } from './view.js';

const STATUS: readonly (readonly [string, string])[] = [
  ['', 'any status'],
  ['running', 'running'],
  ['completed', 'completed'],
];
const OLDER: readonly (readonly [string, string])[] = [
  ['', 'any age'],
  ['5m', 'older than 5 minutes'],
  ['1h', 'older than 1 hour'],
  ['1d', 'older than 1 day'],
];

/** The filters build() made, which refreshes leave as they are. */
let inputs: { readonly scope: HTMLInputElement; readonly status: HTMLSelectElement; readonly older: HTMLSelectElement } | null = null;
let scopeTimer = 0;

const select = (id: string, label: string, options: readonly (readonly [string, string])[], value: string): HTMLSelectElement => {
  const s = h('select', { id, 'aria-label': label }, options.map(([v, text]) => h('option', { value: v }, text)));
  s.value = value;
  return s;
};

/** The shared scope (routes without a principal) is stored as ''. */
export const scopeName = (scope: string): string => (scope === '' ? '(shared)' : scope);

export const httpKeysView: View<HttpKeysAnswer> = {
  title: 'HTTP keys',
  build(r) {
    const scope = h('input', { type: 'search', id: 'key-scope', value: r.params.get('scope') || '', placeholder: 'scope (principal)', 'aria-label': 'Scope' });
    const status = select('key-status', 'Status', STATUS, r.params.get('status') || '');
    const older = select('key-older', 'Age', OLDER, r.params.get('older') || '');
    const changed = () => {
      const p = paramsOf(route());
      p.scope = scope.value;
      p.status = status.value;
      p.older = older.value;
      history.replaceState(null, '', link('http-keys', p));
      void state.refresh();
    };
    scope.addEventListener('input', () => {
      clearTimeout(scopeTimer);
      scopeTimer = window.setTimeout(changed, 250);
    });
    status.addEventListener('change', changed);
    older.addEventListener('change', changed);
    inputs = { scope, status, older };
    return frag(h('div', { class: 'title-row' }, h('h1', null, 'HTTP Idempotency-Keys')), h('div', { class: 'toolbar' }, scope, status, older));
  },
  sync(r) {
    if (inputs === null) return;
    if (document.activeElement !== inputs.scope) inputs.scope.value = r.params.get('scope') || '';
    inputs.status.value = r.params.get('status') || '';
    inputs.older.value = r.params.get('older') || '';
  },
  load(r) {
    const q = new URLSearchParams({ limit: '50' });
    for (const k of ['status', 'older', 'scope']) {
      const value = r.params.get(k);
      if (value) q.set(k, value);
    }
    return api<HttpKeysAnswer>('GET', `api/http-keys?${q.toString()}`);
  },
  render(data) {
    const k = data.keys;
    if (k === null) return empty('No endpoint store given: start the dashboard with --endpoint-store <url> to see its HTTP Idempotency-Keys.');
    const now = Date.now();
    const rows = k.keys.map((key) =>
      h(
        'tr',
        { 'data-key': key.key, 'data-scope': key.scope },
        h('td', null, h('a', { href: link('http-key', { scope: key.scope, key: key.key }), class: 'title mono' }, key.key), h('div', { class: 'sub' }, scopeName(key.scope))),
        h('td', null, key.expiresAt <= now ? `${key.status} (expired)` : key.status),
        h('td', { class: 'num' }, key.responseStatus ?? '-'),
        h('td', { class: 'num' }, key.responseStatus === null ? '-' : key.bodyBytes),
        h('td', null, time(key.createdAt)),
        h('td', null, new Date(key.expiresAt).toLocaleString()),
      ),
    );
    const which = [k.status, k.scope === null ? null : `in scope ${scopeName(k.scope)}`, k.older ? `older than ${k.older}` : null].filter(Boolean).join(', ');
    return frag(
      h('p', { class: 'sub' }, 'in ', h('span', { class: 'mono' }, k.where)),
      k.error ? h('p', { class: 'note' }, `Could not read it: ${k.error}`) : null,
      section(
        `The newest keys${which ? `: ${which}` : ''}`,
        k.keys.length === 0
          ? empty('No keys here.')
          : [
              table(['Key', 'Status', 'Response#', 'Body bytes#', 'Created', 'Expires'], rows, { class: 'http-keys', 'aria-label': 'HTTP keys' }),
              k.more ? h('p', { class: 'sub' }, `The newest ${k.keys.length} are shown (npx oncebus http-keys list --limit has more).`) : null,
            ],
      ),
    );
  },
};
