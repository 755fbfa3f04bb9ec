// #/message/<id> : one failed message — its facts, body, failures, stack, headers and what operators did.
import type { BodyView, MessageView } from '../api-types.js';
import { actionButtons } from './actions.js';
import { ApiError, api } from './api.js';
import { badge, type Child, empty, frag, h, plural, section, table, time } from './dom.js';
import { link } from './routes.js';
import { session } from './state.js';
import type { View } from './view.js';

type Loaded = MessageView | { readonly notFound: string };

const BODY_KINDS: Readonly<Record<BodyView['kind'], string>> = { json: 'JSON', text: 'text', base64: 'base64', empty: 'empty', 'too-large': 'too large to show' };

const fact = (name: string, value: Child): Child[] => [h('dt', null, name), h('dd', null, value)];

function body(b: BodyView): Child {
  if (b.kind === 'empty') return empty('No body.');
  if (b.kind === 'too-large') return empty('Too large to show.');
  return h('pre', { class: 'body', id: 'message-body', tabindex: 0 }, b.text);
}

export const messageView: View<Loaded> = {
  title: 'Failed message',
  build: () => frag(),
  async load(r) {
    const id = r.id ?? '';
    try {
      return await api<MessageView>('GET', `api/messages/${encodeURIComponent(id)}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return { notFound: id };
      throw error;
    }
  },
  render(loaded) {
    if ('notFound' in loaded) return empty(`No failed message ${loaded.notFound} here (purged after its retention, or never ingested).`);
    const m = loaded;
    const env = m.envelope;
    const returns = session().returns;
    const headers = m.headers.map(([name, value]) => h('tr', null, h('th', { scope: 'row', class: 'mono' }, name), h('td', { class: 'mono pre' }, value)));
    return frag(
      h('p', { class: 'crumbs' }, h('a', { href: link('groups') }, 'Failed messages'), ' › ', h('a', { href: link('messages', { group: m.groupId, status: 'all' }) }, m.groupTitle)),
      h('div', { class: 'title-row' }, h('h1', null, m.messageType), badge(m.status), actionButtons({ ids: [m.id] }, 'this message', m.status === 'unresolved')),
      returns.enabled ? null : h('p', { class: 'note' }, returns.reason),
      h(
        'dl',
        { class: 'facts' },
        fact('Message id', h('span', { class: 'mono' }, m.messageId)),
        m.statusBy ? fact(m.status === 'archived' ? 'Deleted' : 'Returned', [m.statusBy, ' ', time(m.statusAt)]) : null,
        fact('Exception', m.exceptionType),
        fact('Failed', `${plural(m.timesFailed, 'time')}, first ${new Date(m.firstFailedAt).toLocaleString()}, last ${new Date(m.lastFailedAt).toLocaleString()}`),
        fact('Source queue', h('span', { class: 'mono' }, m.sourceQueue || '(unknown: it can only be deleted)')),
        fact('Error queue', h('span', { class: 'mono' }, m.errorQueue)),
        env
          ? [
              fact('Correlation id', h('span', { class: 'mono' }, env.correlationId || '-')),
              fact('Sent', env.sendDate ? new Date(env.sendDate).toLocaleString() : '-'),
              fact('Sender', h('span', { class: 'mono' }, env.sender || '-')),
            ]
          : null,
        fact('Record id', h('span', { class: 'mono' }, m.id)),
      ),
      section(`Body (${BODY_KINDS[m.body.kind]}, ${plural(m.body.bytes, 'byte')})`, [m.body.note ? h('p', { class: 'note' }, m.body.note) : null, body(m.body)]),
      section(`Failures (${m.failures.length + m.failuresOmitted})`, [
        m.failuresOmitted ? h('p', { class: 'note' }, `The last ${m.failures.length} are shown; ${m.failuresOmitted} before them are not (npx oncebus errors show --json has them all).`) : null,
        m.failures.length ? h('ol', { class: 'failures mono' }, m.failures.map((f) => h('li', null, f))) : empty('No failure lines.'),
      ]),
      section('Stack', m.stack ? h('pre', { class: 'stack', tabindex: 0 }, m.stack) : empty('No stack recorded.')),
      section(`Headers (${m.headers.length + m.headersOmitted})`, [
        m.headers.length ? table(['Name', 'Value'], headers, { class: 'headers' }) : empty('No headers.'),
        m.headersOmitted ? h('p', { class: 'note' }, `${m.headersOmitted} more are not shown (npx oncebus errors show --json has them all).`) : null,
      ]),
      section(
        'Operator actions',
        m.actions.length
          ? h('ul', { class: 'history' }, m.actions.map((a) => h('li', null, time(a.at), ' ', a.action === 'delete' ? 'deleted' : `${a.action}ed`, ' by ', h('strong', null, a.by))))
          : empty('None yet.'),
      ),
    );
  },
};
