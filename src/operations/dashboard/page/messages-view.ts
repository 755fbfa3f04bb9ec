// #/messages?group=&search=&status=&page= : failed messages, 25 a page, the latest failure first.
import type { MessagesAnswer, StatusFilter } from '../api-types.js';
import { actionButtons } from './actions.js';
import { api } from './api.js';
import { badge, empty, frag, h, STATUS_NAMES, table, time } from './dom.js';
import { link, paramsOf, route } from './routes.js';
import { state } from './state.js';
import type { View } from './view.js';

const STATUSES: readonly StatusFilter[] = ['unresolved', 'returning', 'returned', 'archived', 'all'];

/** The search box and status filter build() made, which refreshes leave as they are. */
let inputs: { readonly search: HTMLInputElement; readonly status: HTMLSelectElement } | null = null;
let searchTimer = 0;

export const messagesView: View<MessagesAnswer> = {
  title: 'Failed messages',
  build(r) {
    const search = h('input', { type: 'search', id: 'search', value: r.params.get('search') || '', placeholder: 'messageId, type, exception or failure text', 'aria-label': 'Search failed messages' });
    const status = h(
      'select',
      { id: 'status', 'aria-label': 'Status' },
      STATUSES.map((s) => h('option', { value: s }, s === 'all' ? 'any status' : STATUS_NAMES[s])),
    );
    status.value = r.params.get('status') || 'unresolved';
    // Typing refines the list in place: the address keeps the search (so a reload or the back button
    // comes back to it) without a new history entry per key.
    const changed = () => {
      const p = paramsOf(route());
      p.search = search.value;
      p.status = status.value;
      delete p.page;
      history.replaceState(null, '', link('messages', p));
      void state.refresh();
    };
    search.addEventListener('input', () => {
      clearTimeout(searchTimer);
      searchTimer = window.setTimeout(changed, 250);
    });
    status.addEventListener('change', changed);
    inputs = { search, status };
    return frag(h('div', { class: 'toolbar' }, search, status));
  },
  sync(r) {
    if (inputs === null) return;
    if (document.activeElement !== inputs.search) inputs.search.value = r.params.get('search') || '';
    inputs.status.value = r.params.get('status') || 'unresolved';
  },
  load(r) {
    const q = new URLSearchParams();
    for (const k of ['group', 'search', 'status', 'page']) {
      const value = r.params.get(k);
      if (value) q.set(k, value);
    }
    q.set('limit', '25');
    return api<MessagesAnswer>('GET', `api/messages?${q.toString()}`);
  },
  render(data, r) {
    const pages = Math.max(1, Math.ceil(data.total / data.limit));
    const p = paramsOf(r);
    const head = data.group
      ? h(
          'div',
          { class: 'group-head' },
          h('div', null, h('div', { class: 'sub' }, 'Group'), h('h1', { class: 'title' }, data.group.title)),
          actionButtons({ group: data.group.id }, 'the unresolved messages of this group', data.status === 'unresolved' && data.total > 0, ' group'),
          h('a', { href: link('messages', { ...p, group: '', page: '' }) }, 'all groups'),
        )
      : h('div', { class: 'title-row' }, h('h1', null, data.status === 'all' ? 'All failed messages' : `Failed messages: ${STATUS_NAMES[data.status] ?? data.status}`));
    const rows = data.messages.map((m) =>
      h(
        'tr',
        { 'data-id': m.id },
        h('td', null, h('a', { href: link('message', { id: m.id }), class: 'title' }, m.messageType), h('div', { class: 'sub mono' }, m.messageId)),
        h('td', null, h('div', { class: 'clip', title: m.failureMessage }, m.failure)),
        h('td', { class: 'mono' }, m.sourceQueue || '(unknown)'),
        h('td', { class: 'num' }, m.timesFailed),
        h('td', null, time(m.lastFailedAt)),
        h('td', null, badge(m.status)),
      ),
    );
    const from = data.total === 0 ? 0 : (data.page - 1) * data.limit + 1;
    const turn = (page: number) => () => {
      location.hash = link('messages', { ...p, page });
    };
    const pager = h(
      'div',
      { class: 'pager' },
      h('button', { type: 'button', disabled: data.page <= 1, onclick: turn(data.page - 1) }, '‹ Previous'),
      h('span', { id: 'page-info' }, `${from}–${Math.min(data.total, data.page * data.limit)} of ${data.total} · page ${data.page} of ${pages}`),
      h('button', { type: 'button', disabled: data.page >= pages, onclick: turn(data.page + 1) }, 'Next ›'),
    );
    return frag(
      head,
      data.messages.length === 0
        ? empty(r.params.get('search') ? 'No failed message matches this search.' : 'No failed messages here.')
        : table(['Message', 'Failure', 'Source queue', 'Failed#', 'Last failed', 'Status'], rows, { class: 'messages', 'aria-label': 'Failed messages' }),
      pager,
    );
  },
};
