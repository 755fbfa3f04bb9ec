// #/ : the unresolved messages by failure group, a page at a time, the largest group first.
import type { GroupsAnswer } from '../api-types.js';
import { actionButtons } from './actions.js';
import { api } from './api.js';
import { empty, frag, h, plural, table, time } from './dom.js';
import { link } from './routes.js';
import type { View } from './view.js';

export const groupsView: View<GroupsAnswer> = {
  title: 'Failed messages',
  build() {
    const search = h('input', { type: 'search', id: 'search', placeholder: 'messageId, type, exception or failure text', 'aria-label': 'Search failed messages' });
    const go = () => {
      location.hash = link('messages', { search: search.value });
    };
    search.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') go();
    });
    return frag(h('div', { class: 'title-row' }, h('h1', null, 'Failed messages by group')), h('div', { class: 'toolbar' }, search, h('button', { type: 'button', onclick: go }, 'Search')));
  },
  load(r) {
    const q = new URLSearchParams({ status: 'unresolved', limit: '25' });
    const page = r.params.get('page');
    if (page) q.set('page', page);
    return api<GroupsAnswer>('GET', `api/groups?${q.toString()}`);
  },
  render(data) {
    // A page of groups: `messages` counts every unresolved message, in every group.
    const total = data.messages;
    if (data.total === 0) return empty('No unresolved failed messages.');
    const pages = Math.max(1, Math.ceil(data.total / data.limit));
    const rows = data.groups.map((g) =>
      h(
        'tr',
        { 'data-group': g.id },
        h('td', null, h('a', { href: link('messages', { group: g.id }), class: 'title' }, g.title), h('div', { class: 'sub' }, `${g.messageType} · ${g.exceptionType}`)),
        h('td', { class: 'num' }, g.count),
        h('td', null, time(g.firstFailedAt)),
        h('td', null, time(g.lastFailedAt)),
        h('td', { class: 'act' }, actionButtons({ group: g.id }, `the ${plural(g.count, 'unresolved message')} of this group`, true)),
      ),
    );
    const turn = (page: number) => () => {
      location.hash = link('groups', { page });
    };
    const pager = h(
      'div',
      { class: 'pager' },
      h('button', { type: 'button', disabled: data.page <= 1, onclick: turn(data.page - 1) }, '‹ Previous'),
      h('span', { id: 'groups-page-info' }, `page ${data.page} of ${pages} · ${plural(data.total, 'group')}`),
      h('button', { type: 'button', disabled: data.page >= pages, onclick: turn(data.page + 1) }, 'Next ›'),
    );
    return frag(
      h('div', { class: 'bulk' }, h('span', null, `${plural(total, 'unresolved message')} in ${plural(data.total, 'group')}`), actionButtons({ all: true }, `all ${plural(total, 'unresolved message')}`, total > 0, ' all')),
      table(['Failure', 'Messages#', 'First failed', 'Last failed', ''], rows, { class: 'groups', 'aria-label': 'Failure groups' }),
      pages > 1 ? pager : null,
    );
  },
};
