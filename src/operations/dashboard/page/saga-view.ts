// #/saga/<instance id> : one saga instance — its row and its state, decoded, as the server masked it.
import type { SagaView } from '../api-types.js';
import { ApiError, api } from './api.js';
import { type Child, empty, frag, h, section, time } from './dom.js';
import { link } from './routes.js';
import type { View } from './view.js';

type Loaded = SagaView | { readonly notFound: string };

const fact = (name: string, value: Child): Child[] => [h('dt', null, name), h('dd', null, value)];

export const sagaView: View<Loaded> = {
  title: 'Saga instance',
  build: () => frag(),
  async load(r) {
    const id = r.id ?? '';
    try {
      return await api<SagaView>('GET', `api/sagas/${encodeURIComponent(id)}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return { notFound: id };
      throw error;
    }
  },
  render(loaded) {
    if ('notFound' in loaded) return empty(`No saga instance ${loaded.notFound} here (it completed and was removed, or never started).`);
    const s = loaded;
    return frag(
      h('p', { class: 'crumbs' }, h('a', { href: link('sagas', { type: s.sagaType }) }, s.sagaType)),
      h('div', { class: 'title-row' }, h('h1', null, `${s.sagaType} ${s.correlationId}`)),
      h(
        'dl',
        { class: 'facts' },
        fact('Instance id', h('span', { class: 'mono' }, s.instanceId)),
        fact('Correlation id', h('span', { class: 'mono' }, s.correlationId)),
        fact('Version', String(s.version)),
        fact('Started', [new Date(s.createdAt).toLocaleString(), ' (', time(s.createdAt), ')']),
        fact('Updated', [new Date(s.updatedAt).toLocaleString(), ' (', time(s.updatedAt), ')']),
        fact('Completed', s.completedAt === null ? 'no: open' : time(s.completedAt)),
      ),
      section(`State (${s.state.bytes} bytes)`, [
        s.state.note ? h('p', { class: 'note' }, s.state.note) : null,
        s.state.kind === 'json' ? h('pre', { class: 'body', id: 'saga-state', tabindex: 0 }, s.state.text) : empty('Not shown.'),
      ]),
    );
  },
};
