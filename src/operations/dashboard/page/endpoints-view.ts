// #/endpoints : the endpoints' queue depths and idempotence rows.
import type { EndpointsAnswer } from '../api-types.js';
import { api } from './api.js';
import { empty, frag, h, section, table, time } from './dom.js';
import type { View } from './view.js';

export const endpointsView: View<EndpointsAnswer> = {
  title: 'Endpoints',
  build: () => frag(h('div', { class: 'title-row' }, h('h1', null, 'Endpoints'))),
  load: () => api<EndpointsAnswer>('GET', 'api/endpoints'),
  render(data) {
    const queues =
      data.queues === null
        ? empty('No endpoint queues given: start the dashboard with --config <endpoint.json> to see their depths.')
        : table(
            ['Queue', 'Waiting#', ''],
            data.queues.map((q) => h('tr', null, h('td', { class: 'mono' }, q.queue), h('td', { class: 'num' }, q.messages === null ? '-' : q.messages), h('td', { class: 'muted' }, q.note || ''))),
            { class: 'queues', 'aria-label': 'Queue depths' },
          );
    const i = data.idempotence;
    const stats =
      i === null
        ? empty('No endpoint store given: start the dashboard with --endpoint-store <url> to see its idempotence rows.')
        : [
            h('p', { class: 'sub' }, 'in ', h('span', { class: 'mono' }, i.where)),
            i.error ? h('p', { class: 'note' }, `Could not read it: ${i.error}`) : null,
            i.endpoints.length === 0 && !i.error ? empty('No idempotence rows yet.') : null,
            i.endpoints.length === 0
              ? null
              : table(
                  ['Endpoint', 'Assigned#', 'Handled#', 'Completed#', 'Stored sends#', 'Purgeable#', 'Oldest handled'],
                  i.endpoints.map((e) =>
                    h(
                      'tr',
                      null,
                      h('td', { class: 'mono' }, e.endpoint),
                      h('td', { class: 'num' }, e.assigned),
                      h('td', { class: 'num' }, e.handled),
                      h('td', { class: 'num' }, e.completed),
                      h('td', { class: 'num' }, e.storedSends),
                      h('td', { class: 'num' }, e.purgeable),
                      h('td', null, time(e.oldestHandledAt)),
                    ),
                  ),
                  { class: 'idempotence', 'aria-label': 'Idempotence rows' },
                ),
          ];
    return frag(section('Queue depths', queues), section('Idempotence', stats));
  },
};
