// #/http-key?scope=&key= : one HTTP Idempotency-Key — its row and the response it stored (what a retry gets
// back), as the server masked it.
import type { HttpKeyDetail } from '../api-types.js';
import { ApiError, api } from './api.js';
import { type Child, empty, frag, h, section, table, time } from './dom.js';
import { scopeName } from './http-keys-view.js';
import { link } from './routes.js';
import type { View } from './view.js';

type Loaded = HttpKeyDetail | { readonly notFound: string };

const fact = (name: string, value: Child): Child[] => [h('dt', null, name), h('dd', null, value)];
const when = (ms: number | null): Child => (ms === null ? '-' : [new Date(ms).toLocaleString(), ' (', time(ms), ')']);

function status(k: HttpKeyDetail): string {
  if (k.expired) return `${k.status}, expired: acts as absent (the purge removes it)`;
  if (k.status !== 'running' || k.lockedUntil === null) return k.status;
  return k.lockedUntil >= Date.now() ? 'running: its attempt holds the lease' : 'running, its lease ran out: the next retry takes it over';
}

export const httpKeyView: View<Loaded> = {
  title: 'HTTP key',
  build: () => frag(),
  async load(r) {
    const q = new URLSearchParams({ scope: r.params.get('scope') ?? '', key: r.params.get('key') ?? '' });
    try {
      return await api<HttpKeyDetail>('GET', `api/http-key?${q.toString()}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return { notFound: r.params.get('key') ?? '' };
      throw error;
    }
  },
  render(loaded) {
    if ('notFound' in loaded) return empty(`No HTTP key ${loaded.notFound} here (it expired and was purged, or its route failed and freed it).`);
    const k = loaded;
    const r = k.response;
    return frag(
      h('p', { class: 'crumbs' }, h('a', { href: link('http-keys', { scope: k.scope }) }, `HTTP keys in ${scopeName(k.scope)}`)),
      h('div', { class: 'title-row' }, h('h1', null, `HTTP key ${k.key}`)),
      h(
        'dl',
        { class: 'facts' },
        fact('Scope', h('span', { class: 'mono' }, scopeName(k.scope))),
        fact('Status', status(k)),
        fact('Attempt', h('span', { class: 'mono' }, k.attempt)),
        fact('Fingerprint', h('span', { class: 'mono' }, k.fingerprint)),
        fact('Created', when(k.createdAt)),
        fact('Completed', when(k.completedAt)),
        fact('Expires', new Date(k.expiresAt).toLocaleString()),
        k.lockedUntil === null ? null : fact('Locked until', new Date(k.lockedUntil).toLocaleString()),
      ),
      r === null
        ? section('Response', empty('None stored yet: the route is running, or its attempt died and the lease frees the key.'))
        : [
            section(
              `Response ${r.status}`,
              [
                r.headers.length === 0 ? empty('No headers kept.') : table(['Header', 'Value'], r.headers.map(([name, value]) => h('tr', null, h('td', { class: 'mono' }, name), h('td', { class: 'mono' }, value))), { class: 'headers', 'aria-label': 'Stored headers' }),
                r.headersNote ? h('p', { class: 'note' }, r.headersNote) : null,
              ],
            ),
            section(`Body (${r.body.kind}, ${r.body.bytes} bytes)`, [
              r.body.note ? h('p', { class: 'note' }, r.body.note) : null,
              r.body.text ? h('pre', { class: 'body', id: 'key-body', tabindex: 0 }, r.body.text) : empty('Not shown.'),
            ]),
          ],
    );
  },
};
