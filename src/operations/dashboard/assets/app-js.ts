// The dashboard page's script (GET /app.js): vanilla JavaScript, no build step, no dependency. Kept as text
// here so that the compiled package serves it as it is. (It uses no template literal, no backslash: this is one.)
export const APP_JS = `'use strict';
// Every value from the server reaches the page as text: text nodes, textContent and attribute values the
// script builds, never markup. The page's Content-Security-Policy forbids inline scripts and requires
// Trusted Types, so an innerHTML assignment would throw rather than parse a message body.
(function () {
  const $ = (id) => document.getElementById(id);
  const state = { session: null, built: null, region: null, last: new Map(), seq: 0, timer: 0, searchTimer: 0, acting: false };

  // ---- building elements (text only) ----
  function h(tag, attrs) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
      else if (k === 'value') el.value = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    append(el, Array.prototype.slice.call(arguments, 2));
    return el;
  }
  function append(el, children) {
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      if (Array.isArray(c)) append(el, c);
      else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }
  const frag = function () { return append(document.createDocumentFragment(), Array.prototype.slice.call(arguments)); };

  // ---- routes: #/ (groups), #/messages?group=&search=&status=&page=, #/message/<id>, #/endpoints ----
  function route() {
    const hash = location.hash.replace(/^#/, '') || '/';
    const q = hash.indexOf('?');
    const path = q < 0 ? hash : hash.slice(0, q);
    const params = new URLSearchParams(q < 0 ? '' : hash.slice(q + 1));
    const parts = path.split('/').filter(Boolean);
    if (parts[0] === 'message' && parts[1]) return { view: 'message', id: decodeURIComponent(parts[1]), params: params };
    if (parts[0] === 'messages') return { view: 'messages', params: params };
    if (parts[0] === 'endpoints') return { view: 'endpoints', params: params };
    return { view: 'groups', params: params };
  }
  function link(view, params) {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== '') query.set(k, String(v));
    const qs = query.toString();
    if (view === 'message') return '#/message/' + encodeURIComponent(params.id);
    return '#/' + (view === 'groups' ? '' : view) + (qs ? '?' + qs : '');
  }
  function paramsOf(r) { const o = {}; r.params.forEach((v, k) => { o[k] = v; }); return o; }

  // ---- the API ----
  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (method !== 'GET') {
      headers['Content-Type'] = 'application/json';
      headers[state.session.csrfHeader] = state.session.csrfToken;
    }
    const res = await fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' });
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (!res.ok) {
      const why = data && typeof data.error === 'string' ? data.error : res.status + ' ' + res.statusText;
      const error = new Error(res.status === 401 ? 'this dashboard needs its token: open it again with ?token=<token> (' + why + ')' : why);
      error.status = res.status;
      throw error;
    }
    return data;
  }

  // ---- small pieces ----
  function ago(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    const pad = (n) => String(n).padStart(2, '0');
    if (s < 60) return s + 's';
    if (s < 3600) return Math.floor(s / 60) + 'm ' + pad(s % 60) + 's';
    if (s < 86400) return Math.floor(s / 3600) + 'h ' + pad(Math.floor((s % 3600) / 60)) + 'm';
    return Math.floor(s / 86400) + 'd ' + Math.floor((s % 86400) / 3600) + 'h';
  }
  function time(ms) {
    if (!ms) return h('span', { class: 'muted' }, '-');
    const d = new Date(ms);
    return h('time', { datetime: d.toISOString(), title: d.toLocaleString(), 'data-at': ms }, ago(Date.now() - ms) + ' ago');
  }
  function tickTimes() {
    for (const el of document.querySelectorAll('time[data-at]')) el.textContent = ago(Date.now() - Number(el.getAttribute('data-at'))) + ' ago';
  }
  const STATUS_NAMES = { unresolved: 'unresolved', returning: 'returning', returned: 'returned', archived: 'deleted' };
  function badge(status) { return h('span', { class: 'status status-' + status, 'data-status': status }, STATUS_NAMES[status] || status); }
  function section(title, body) { return h('section', { class: 'panel' }, h('h2', null, title), body); }
  function empty(text) { return h('p', { class: 'empty' }, text); }
  // A column heading ending in '#' heads numbers (right-aligned).
  function table(head, rows, attrs) {
    const th = (c) => c.slice(-1) === '#' ? h('th', { scope: 'col', class: 'num' }, c.slice(0, -1)) : h('th', { scope: 'col' }, c);
    return h('table', attrs || null, h('thead', null, h('tr', null, head.map(th))), h('tbody', null, rows));
  }
  function plural(n, word) { return n + ' ' + word + (n === 1 ? '' : 's'); }

  function notify(text, kind) {
    $('notice-text').textContent = text;
    $('notice').className = 'notice-' + (kind || 'ok');
    $('notice').hidden = false;
  }

  // ---- the confirmation: a real <dialog>, answered by its own buttons ----
  function confirmAction(opts) {
    const dialog = $('confirm');
    $('confirm-title').textContent = opts.title;
    $('confirm-text').textContent = opts.text;
    $('confirm-ok').textContent = opts.ok;
    $('confirm-retention-row').hidden = !opts.retention;
    $('confirm-retention').checked = false;
    return new Promise((resolve) => {
      dialog.addEventListener('close', () => resolve({ ok: dialog.returnValue === 'ok', ignoreRetention: $('confirm-retention').checked }), { once: true });
      dialog.returnValue = '';
      dialog.showModal();
      $('confirm-cancel').focus();
    });
  }

  async function act(action, selection, what) {
    const returning = action === 'return';
    if (returning && !state.session.returns.enabled) { notify(state.session.returns.reason, 'error'); return; }
    const verb = returning ? 'Return' : 'Delete';
    const answer = await confirmAction({
      title: verb + ' ' + what + '?',
      text: returning
        ? 'Each message goes back to the queue it failed in, with the same messageId and its failures reset. An endpoint with idempotence handles it once.'
        : 'Deleted messages are archived: out of the lists, kept until the retention purge. Nothing is sent.',
      ok: verb,
      retention: returning,
    });
    if (!answer.ok) return;
    const body = Object.assign({}, selection);
    if (returning) body.ignoreRetention = answer.ignoreRetention;
    state.acting = true;
    try {
      const report = await api('POST', 'api/' + action, body);
      const skipped = report.skipped.map((s) => s.id + ' (' + s.reason + ')').join(', ');
      notify((returning ? 'Returned ' : 'Deleted ') + plural(report.done.length, 'message') + (skipped ? '; skipped ' + skipped : '') + '.', report.done.length === 0 && skipped ? 'error' : 'ok');
    } catch (e) {
      notify(verb + ' failed: ' + e.message, 'error');
    } finally {
      state.acting = false;
    }
    await refresh();
  }
  function actionButtons(selection, what, enabled, suffix) {
    const returnsOff = !state.session.returns.enabled;
    return h('span', { class: 'actions' },
      h('button', { type: 'button', class: 'primary', disabled: !enabled || returnsOff, title: returnsOff ? state.session.returns.reason : null, onclick: () => act('return', selection, what) }, 'Return' + (suffix || '')),
      h('button', { type: 'button', class: 'danger', disabled: !enabled, onclick: () => act('delete', selection, what) }, 'Delete' + (suffix || '')));
  }

  // ---- the views: build() makes what stays (inputs keep focus and text), render(data) what refreshes ----
  const VIEWS = {};

  VIEWS.groups = {
    title: 'Failed messages',
    build() {
      const search = h('input', { type: 'search', id: 'search', placeholder: 'messageId, type, exception or failure text', 'aria-label': 'Search failed messages' });
      const go = () => { location.hash = link('messages', { search: search.value }); };
      search.addEventListener('keydown', (e) => { if (e.key === 'Enter') go(); });
      return frag(
        h('div', { class: 'title-row' }, h('h1', null, 'Failed messages by group')),
        h('div', { class: 'toolbar' }, search, h('button', { type: 'button', onclick: go }, 'Search')),
      );
    },
    load(r) {
      const q = new URLSearchParams({ status: 'unresolved', limit: '25' });
      if (r.params.get('page')) q.set('page', r.params.get('page'));
      return api('GET', 'api/groups?' + q.toString());
    },
    render(data) {
      // A page of groups: the total counts every unresolved message, in every group.
      const total = data.messages;
      if (data.total === 0) return empty('No unresolved failed messages.');
      const pages = Math.max(1, Math.ceil(data.total / data.limit));
      const rows = data.groups.map((g) =>
        h('tr', { 'data-group': g.id },
          h('td', null, h('a', { href: link('messages', { group: g.id }), class: 'title' }, g.title), h('div', { class: 'sub' }, g.messageType + ' · ' + g.exceptionType)),
          h('td', { class: 'num' }, g.count),
          h('td', null, time(g.firstFailedAt)),
          h('td', null, time(g.lastFailedAt)),
          h('td', { class: 'act' }, actionButtons({ group: g.id }, 'the ' + plural(g.count, 'unresolved message') + ' of this group', true)),
        ));
      const pager = h('div', { class: 'pager' },
        h('button', { type: 'button', disabled: data.page <= 1, onclick: () => { location.hash = link('groups', { page: data.page - 1 }); } }, '‹ Previous'),
        h('span', { id: 'groups-page-info' }, 'page ' + data.page + ' of ' + pages + ' · ' + plural(data.total, 'group')),
        h('button', { type: 'button', disabled: data.page >= pages, onclick: () => { location.hash = link('groups', { page: data.page + 1 }); } }, 'Next ›'));
      return frag(
        h('div', { class: 'bulk' }, h('span', null, plural(total, 'unresolved message') + ' in ' + plural(data.total, 'group')),
          actionButtons({ all: true }, 'all ' + plural(total, 'unresolved message'), total > 0, ' all')),
        table(['Failure', 'Messages#', 'First failed', 'Last failed', ''], rows, { class: 'groups', 'aria-label': 'Failure groups' }),
        pages > 1 ? pager : null,
      );
    },
  };

  VIEWS.messages = {
    title: 'Failed messages',
    build(r) {
      const search = h('input', { type: 'search', id: 'search', value: r.params.get('search') || '', placeholder: 'messageId, type, exception or failure text', 'aria-label': 'Search failed messages' });
      const status = h('select', { id: 'status', 'aria-label': 'Status' },
        ['unresolved', 'returning', 'returned', 'archived', 'all'].map((s) => h('option', { value: s }, s === 'all' ? 'any status' : STATUS_NAMES[s])));
      status.value = r.params.get('status') || 'unresolved';
      // Typing refines the list in place: the address keeps the search (so a reload or the back button
      // comes back to it) without a new history entry per key.
      const changed = () => {
        const p = paramsOf(route());
        p.search = search.value;
        p.status = status.value;
        delete p.page;
        history.replaceState(null, '', link('messages', p));
        void refresh();
      };
      search.addEventListener('input', () => { clearTimeout(state.searchTimer); state.searchTimer = setTimeout(changed, 250); });
      status.addEventListener('change', changed);
      state.inputs = { search: search, status: status };
      return frag(h('div', { class: 'toolbar' }, search, status));
    },
    sync(r) {
      const inputs = state.inputs;
      if (document.activeElement !== inputs.search) inputs.search.value = r.params.get('search') || '';
      inputs.status.value = r.params.get('status') || 'unresolved';
    },
    load(r) {
      const q = new URLSearchParams();
      for (const k of ['group', 'search', 'status', 'page']) if (r.params.get(k)) q.set(k, r.params.get(k));
      q.set('limit', '25');
      return api('GET', 'api/messages?' + q.toString());
    },
    render(data, r) {
      const pages = Math.max(1, Math.ceil(data.total / data.limit));
      const p = paramsOf(r);
      const head = data.group
        ? h('div', { class: 'group-head' },
            h('div', null, h('div', { class: 'sub' }, 'Group'), h('h1', { class: 'title' }, data.group.title)),
            actionButtons({ group: data.group.id }, 'the unresolved messages of this group', data.status === 'unresolved' && data.total > 0, ' group'),
            h('a', { href: link('messages', Object.assign({}, p, { group: '', page: '' })) }, 'all groups'))
        : h('div', { class: 'title-row' }, h('h1', null, data.status === 'all' ? 'All failed messages' : 'Failed messages: ' + (STATUS_NAMES[data.status] || data.status)));
      const rows = data.messages.map((m) =>
        h('tr', { 'data-id': m.id },
          h('td', null, h('a', { href: link('message', { id: m.id }), class: 'title' }, m.messageType), h('div', { class: 'sub mono' }, m.messageId)),
          h('td', null, h('div', { class: 'clip', title: m.failureMessage }, m.failure)),
          h('td', { class: 'mono' }, m.sourceQueue || '(unknown)'),
          h('td', { class: 'num' }, m.timesFailed),
          h('td', null, time(m.lastFailedAt)),
          h('td', null, badge(m.status)),
        ));
      const from = data.total === 0 ? 0 : (data.page - 1) * data.limit + 1;
      const pager = h('div', { class: 'pager' },
        h('button', { type: 'button', disabled: data.page <= 1, onclick: () => { location.hash = link('messages', Object.assign({}, p, { page: data.page - 1 })); } }, '‹ Previous'),
        h('span', { id: 'page-info' }, from + '–' + Math.min(data.total, data.page * data.limit) + ' of ' + data.total + ' · page ' + data.page + ' of ' + pages),
        h('button', { type: 'button', disabled: data.page >= pages, onclick: () => { location.hash = link('messages', Object.assign({}, p, { page: data.page + 1 })); } }, 'Next ›'));
      return frag(head,
        data.messages.length === 0 ? empty(r.params.get('search') ? 'No failed message matches this search.' : 'No failed messages here.') : table(['Message', 'Failure', 'Source queue', 'Failed#', 'Last failed', 'Status'], rows, { class: 'messages', 'aria-label': 'Failed messages' }),
        pager);
    },
  };

  VIEWS.message = {
    title: 'Failed message',
    build() { return frag(); },
    async load(r) {
      try {
        return await api('GET', 'api/messages/' + encodeURIComponent(r.id));
      } catch (e) {
        if (e.status === 404) return { notFound: r.id };
        throw e;
      }
    },
    render(m) {
      if (m.notFound) return empty('No failed message ' + m.notFound + ' here (purged after its retention, or never ingested).');
      const fact = (name, value) => [h('dt', null, name), h('dd', null, value)];
      const env = m.envelope;
      const headers = m.headers.map((kv) => h('tr', null, h('th', { scope: 'row', class: 'mono' }, kv[0]), h('td', { class: 'mono pre' }, kv[1])));
      const bodyKind = { json: 'JSON', text: 'text', base64: 'base64', empty: 'empty', 'too-large': 'too large to show' }[m.body.kind];
      return frag(
        h('p', { class: 'crumbs' }, h('a', { href: link('groups') }, 'Failed messages'), ' › ', h('a', { href: link('messages', { group: m.groupId, status: 'all' }) }, m.groupTitle)),
        h('div', { class: 'title-row' }, h('h1', null, m.messageType), badge(m.status), actionButtons({ ids: [m.id] }, 'this message', m.status === 'unresolved')),
        state.session.returns.enabled ? null : h('p', { class: 'note' }, state.session.returns.reason),
        h('dl', { class: 'facts' },
          fact('Message id', h('span', { class: 'mono' }, m.messageId)),
          m.statusBy ? fact(m.status === 'archived' ? 'Deleted' : 'Returned', [m.statusBy, ' ', time(m.statusAt)]) : null,
          fact('Exception', m.exceptionType),
          fact('Failed', plural(m.timesFailed, 'time') + ', first ' + new Date(m.firstFailedAt).toLocaleString() + ', last ' + new Date(m.lastFailedAt).toLocaleString()),
          fact('Source queue', h('span', { class: 'mono' }, m.sourceQueue || '(unknown: it can only be deleted)')),
          fact('Error queue', h('span', { class: 'mono' }, m.errorQueue)),
          env ? [
            fact('Correlation id', h('span', { class: 'mono' }, env.correlationId || '-')),
            fact('Sent', env.sendDate ? new Date(env.sendDate).toLocaleString() : '-'),
            fact('Sender', h('span', { class: 'mono' }, env.sender || '-')),
          ] : null,
          fact('Record id', h('span', { class: 'mono' }, m.id)),
        ),
        section('Body (' + bodyKind + ', ' + plural(m.body.bytes, 'byte') + ')', [
          m.body.note ? h('p', { class: 'note' }, m.body.note) : null,
          m.body.kind === 'empty' ? empty('No body.') : m.body.kind === 'too-large' ? empty('Too large to show.') : h('pre', { class: 'body', id: 'message-body', tabindex: 0 }, m.body.text),
        ]),
        section('Failures (' + (m.failures.length + m.failuresOmitted) + ')', [
          m.failuresOmitted ? h('p', { class: 'note' }, 'The last ' + m.failures.length + ' are shown; ' + m.failuresOmitted + ' before them are not (npx oncebus errors show --json has them all).') : null,
          m.failures.length ? h('ol', { class: 'failures mono' }, m.failures.map((f) => h('li', null, f))) : empty('No failure lines.'),
        ]),
        section('Stack', m.stack ? h('pre', { class: 'stack', tabindex: 0 }, m.stack) : empty('No stack recorded.')),
        section('Headers (' + (m.headers.length + m.headersOmitted) + ')', [
          m.headers.length ? table(['Name', 'Value'], headers, { class: 'headers' }) : empty('No headers.'),
          m.headersOmitted ? h('p', { class: 'note' }, m.headersOmitted + ' more are not shown (npx oncebus errors show --json has them all).') : null,
        ]),
        section('Operator actions', m.actions.length
          ? h('ul', { class: 'history' }, m.actions.map((a) => h('li', null, time(a.at), ' ', a.action === 'delete' ? 'deleted' : a.action + 'ed', ' by ', h('strong', null, a.by))))
          : empty('None yet.')),
      );
    },
  };

  VIEWS.endpoints = {
    title: 'Endpoints',
    build() { return frag(h('div', { class: 'title-row' }, h('h1', null, 'Endpoints'))); },
    load() { return api('GET', 'api/endpoints'); },
    render(data) {
      const queues = data.queues === null
        ? empty('No endpoint queues given: start the dashboard with --config <endpoint.json> to see their depths.')
        : table(['Queue', 'Waiting#', ''], data.queues.map((q) => h('tr', null, h('td', { class: 'mono' }, q.queue), h('td', { class: 'num' }, q.messages === null ? '-' : q.messages), h('td', { class: 'muted' }, q.note || ''))), { class: 'queues', 'aria-label': 'Queue depths' });
      const i = data.idempotence;
      const stats = i === null
        ? empty('No endpoint store given: start the dashboard with --endpoint-store <url> to see its idempotence rows.')
        : [
            h('p', { class: 'sub' }, 'in ', h('span', { class: 'mono' }, i.where)),
            i.error ? h('p', { class: 'note' }, 'Could not read it: ' + i.error) : null,
            i.endpoints.length === 0 && !i.error ? empty('No idempotence rows yet.') : null,
            i.endpoints.length === 0 ? null : table(['Endpoint', 'Assigned#', 'Handled#', 'Completed#', 'Stored sends#', 'Purgeable#', 'Oldest handled'],
              i.endpoints.map((e) => h('tr', null, h('td', { class: 'mono' }, e.endpoint), h('td', { class: 'num' }, e.assigned), h('td', { class: 'num' }, e.handled), h('td', { class: 'num' }, e.completed), h('td', { class: 'num' }, e.storedSends), h('td', { class: 'num' }, e.purgeable), h('td', null, time(e.oldestHandledAt)))),
              { class: 'idempotence', 'aria-label': 'Idempotence rows' }),
          ];
      return frag(section('Queue depths', queues), section('Idempotence', stats));
    },
  };

  // ---- refresh: what changed is re-rendered, nothing else (scroll, focus, selection and the dialog stay) ----
  async function refresh() {
    const r = route();
    const key = r.view + '|' + (r.id || '');
    const view = VIEWS[r.view];
    if (state.built !== key) {
      state.built = key;
      state.last.clear();
      state.region = h('div', { id: 'data', 'aria-busy': 'true' });
      $('view').replaceChildren(view.build(r), state.region);
      document.title = view.title + ' · oncebus';
    } else if (view.sync) view.sync(r);
    // 'All messages' is the list of any status and group; a group's list and a message belong to 'Failed messages'.
    const everything = r.view === 'messages' && r.params.get('status') === 'all' && !r.params.get('group');
    const nav = r.view === 'endpoints' ? 'endpoints' : everything ? 'messages' : 'groups';
    for (const a of document.querySelectorAll('nav a')) a.classList.toggle('current', a.getAttribute('data-nav') === nav);
    const seq = ++state.seq;
    try {
      if (!state.session) await loadSession();
      const results = await Promise.all([view.load(r), api('GET', 'api/summary')]);
      if (seq !== state.seq) return; // a newer refresh (a key typed, a page turned) answers instead
      const data = results[0];
      const summary = results[1];
      const json = JSON.stringify(data);
      if (state.last.get('data') !== json) {
        state.last.set('data', json);
        state.region.replaceChildren(view.render(data, r));
        state.region.setAttribute('aria-busy', 'false');
      }
      $('nav-unresolved').textContent = summary.counts.unresolved ? String(summary.counts.unresolved) : '';
      $('live').textContent = 'live · updated ' + new Date().toLocaleTimeString();
      $('live').className = 'ok';
      tickTimes();
    } catch (e) {
      if (seq !== state.seq) return;
      $('live').textContent = 'not updated: ' + e.message;
      $('live').className = 'error';
    }
  }

  async function loadSession() {
    state.session = await api('GET', 'api/session');
    $('store').textContent = state.session.store;
    $('by').textContent = state.session.by;
  }

  function poll() {
    clearTimeout(state.timer);
    state.timer = setTimeout(async () => {
      // Not while the page is hidden, nor under an open confirmation or an action on its way.
      if (!document.hidden && !$('confirm').open && !state.acting) await refresh();
      poll();
    }, state.session ? state.session.refreshMs : 3000);
  }

  function start() {
    const dialog = $('confirm');
    $('confirm-ok').addEventListener('click', () => dialog.close('ok'));
    $('confirm-cancel').addEventListener('click', () => dialog.close('cancel'));
    $('notice-close').addEventListener('click', () => { $('notice').hidden = true; });
    window.addEventListener('hashchange', () => { void refresh(); });
    document.addEventListener('visibilitychange', () => { if (!document.hidden) void refresh(); });
    void refresh().then(poll);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
`;
