// #/sagas?type=&stuck= : the endpoints' saga instances by type, the oldest first; `stuck` keeps only the open
// ones started longer ago than it (5m, 1h, 1d).
import type { SagasAnswer } from '../api-types.js';
import { api } from './api.js';
import { empty, frag, h, plural, section, table, time } from './dom.js';
import { link, paramsOf, route } from './routes.js';
import { state } from './state.js';
import type { View } from './view.js';

const STUCK: readonly (readonly [string, string])[] = [
  ['', 'any age'],
  ['5m', 'open longer than 5 minutes'],
  ['1h', 'open longer than 1 hour'],
  ['1d', 'open longer than 1 day'],
];

/** The filters build() made, which refreshes leave as they are. */
let inputs: { readonly type: HTMLInputElement; readonly stuck: HTMLSelectElement } | null = null;
let typeTimer = 0;

export const sagasView: View<SagasAnswer> = {
  title: 'Sagas',
  build(r) {
    const type = h('input', { type: 'search', id: 'saga-type', value: r.params.get('type') || '', placeholder: 'saga type', 'aria-label': 'Saga type' });
    const stuck = h('select', { id: 'saga-stuck', 'aria-label': 'Stuck' }, STUCK.map(([value, label]) => h('option', { value }, label)));
    stuck.value = r.params.get('stuck') || '';
    const changed = () => {
      const p = paramsOf(route());
      p.type = type.value;
      p.stuck = stuck.value;
      history.replaceState(null, '', link('sagas', p));
      void state.refresh();
    };
    type.addEventListener('input', () => {
      clearTimeout(typeTimer);
      typeTimer = window.setTimeout(changed, 250);
    });
    stuck.addEventListener('change', changed);
    inputs = { type, stuck };
    return frag(h('div', { class: 'title-row' }, h('h1', null, 'Sagas')), h('div', { class: 'toolbar' }, type, stuck));
  },
  sync(r) {
    if (inputs === null) return;
    if (document.activeElement !== inputs.type) inputs.type.value = r.params.get('type') || '';
    inputs.stuck.value = r.params.get('stuck') || '';
  },
  load(r) {
    const q = new URLSearchParams({ limit: '50' });
    for (const k of ['type', 'stuck']) {
      const value = r.params.get(k);
      if (value) q.set(k, value);
    }
    return api<SagasAnswer>('GET', `api/sagas?${q.toString()}`);
  },
  render(data, r) {
    const s = data.sagas;
    if (s === null) return empty('No endpoint store given: start the dashboard with --endpoint-store <url> to see its saga instances.');
    const p = paramsOf(r);
    const types = s.types.length
      ? table(
          ['Saga type', 'Instances#', 'Open#'],
          s.types.map((t) => h('tr', { 'data-type': t.sagaType }, h('td', null, h('a', { href: link('sagas', { ...p, type: t.sagaType }) }, t.sagaType)), h('td', { class: 'num' }, t.instances), h('td', { class: 'num' }, t.open))),
          { class: 'saga-types', 'aria-label': 'Saga types' },
        )
      : null;
    const rows = s.instances.map((i) =>
      h(
        'tr',
        { 'data-instance': i.instanceId },
        h('td', null, h('a', { href: link('saga', { id: i.instanceId }), class: 'title' }, i.sagaType), h('div', { class: 'sub mono' }, i.instanceId)),
        h('td', { class: 'mono' }, i.correlationId),
        h('td', { class: 'num' }, i.version),
        h('td', null, time(i.createdAt)),
        h('td', null, time(i.updatedAt)),
        h('td', null, i.completedAt === null ? 'open' : time(i.completedAt)),
      ),
    );
    const what = s.stuck ? `open longer than ${s.stuck}` : 'all';
    return frag(
      h('p', { class: 'sub' }, 'in ', h('span', { class: 'mono' }, s.where)),
      s.error ? h('p', { class: 'note' }, `Could not read it: ${s.error}`) : null,
      types ? section('By type', types) : null,
      section(
        `Instances${s.type ? ` of ${s.type}` : ''}: ${what} (${s.total})`,
        s.instances.length === 0
          ? empty(s.stuck ? 'No instance is stuck.' : 'No saga instances here.')
          : [
              table(['Saga', 'Correlation id', 'Version#', 'Started', 'Updated', 'Completed'], rows, { class: 'sagas', 'aria-label': 'Saga instances' }),
              s.total > s.instances.length ? h('p', { class: 'sub' }, `The oldest ${plural(s.instances.length, 'instance')} of ${s.total} are shown (npx oncebus sagas list --limit has more).`) : null,
            ],
      ),
    );
  },
};
