// The dashboard page's script (GET /app.js, loaded as a module with the modules beside it): routes, the
// refresh that re-renders only what changed, and the poll. Compiled for the browser by
// tsconfig.dashboard.json; the server sends the compiled files as they are.
import type { SessionAnswer, SummaryAnswer } from '../api-types.js';
import { api } from './api.js';
import { h, tickTimes } from './dom.js';
import { endpointsView } from './endpoints-view.js';
import { groupsView } from './groups-view.js';
import { httpKeyView } from './http-key-view.js';
import { httpKeysView } from './http-keys-view.js';
import { messageView } from './message-view.js';
import { messagesView } from './messages-view.js';
import { type Route, route } from './routes.js';
import { sagaView } from './saga-view.js';
import { sagasView } from './sagas-view.js';
import { takeSessionFromAddress } from './session-secret.js';
import { byId, state } from './state.js';
import type { View } from './view.js';

/** What the page is showing: the view built, its data region, the last data rendered in it. */
let built: string | null = null;
let region: HTMLElement | null = null;
let lastData: string | null = null;
let seq = 0;
let timer = 0;

async function loadSession(): Promise<void> {
  const session = await api<SessionAnswer>('GET', 'api/session');
  state.session = session;
  byId('store').textContent = session.store;
  byId('by').textContent = session.by;
}

/** Shows `view` for `r`: builds it if it is not the one shown, then loads and renders what changed. */
async function show<T>(view: View<T>, r: Route): Promise<void> {
  const key = `${r.view}|${r.id ?? ''}`;
  if (built !== key || region === null) {
    built = key;
    lastData = null;
    region = h('div', { id: 'data', 'aria-busy': 'true' });
    byId('view').replaceChildren(view.build(r), region);
    document.title = `${view.title} · oncebus`;
  } else view.sync?.(r);
  const shown = region;
  // 'All messages' is the list of any status and group; a group's list and a message belong to 'Failed messages'.
  const everything = r.view === 'messages' && r.params.get('status') === 'all' && !r.params.get('group');
  const nav = r.view === 'endpoints' ? 'endpoints' : r.view === 'sagas' || r.view === 'saga' ? 'sagas' : r.view === 'http-keys' || r.view === 'http-key' ? 'http-keys' : everything ? 'messages' : 'groups';
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('current', a.getAttribute('data-nav') === nav);
  const mine = ++seq;
  const live = byId('live');
  try {
    if (state.session === null) await loadSession();
    const [data, summary] = await Promise.all([view.load(r), api<SummaryAnswer>('GET', 'api/summary')]);
    if (mine !== seq) return; // a newer refresh (a key typed, a page turned) answers instead
    const json = JSON.stringify(data);
    if (lastData !== json) {
      lastData = json;
      shown.replaceChildren(view.render(data, r));
      shown.setAttribute('aria-busy', 'false');
    }
    byId('nav-unresolved').textContent = summary.counts.unresolved ? String(summary.counts.unresolved) : '';
    live.textContent = `live · updated ${new Date().toLocaleTimeString()}`;
    live.className = 'ok';
    tickTimes();
  } catch (error) {
    if (mine !== seq) return;
    live.textContent = `not updated: ${error instanceof Error ? error.message : String(error)}`;
    live.className = 'error';
  }
}

/** Re-renders what changed, nothing else (scroll, focus, selection and the dialog stay). */
function refresh(): Promise<void> {
  const r = route();
  switch (r.view) {
    case 'groups':
      return show(groupsView, r);
    case 'messages':
      return show(messagesView, r);
    case 'message':
      return show(messageView, r);
    case 'endpoints':
      return show(endpointsView, r);
    case 'sagas':
      return show(sagasView, r);
    case 'saga':
      return show(sagaView, r);
    case 'http-keys':
      return show(httpKeysView, r);
    case 'http-key':
      return show(httpKeyView, r);
  }
}

function poll(): void {
  clearTimeout(timer);
  timer = window.setTimeout(async () => {
    // Not while the page is hidden, nor under an open confirmation or an action on its way.
    if (!document.hidden && !byId<HTMLDialogElement>('confirm').open && !state.acting) await refresh();
    poll();
  }, state.session?.refreshMs ?? 3000);
}

function start(): void {
  takeSessionFromAddress();
  state.refresh = refresh;
  const dialog = byId<HTMLDialogElement>('confirm');
  byId('confirm-ok').addEventListener('click', () => dialog.close('ok'));
  byId('confirm-cancel').addEventListener('click', () => dialog.close('cancel'));
  byId('notice-close').addEventListener('click', () => {
    byId('notice').hidden = true;
  });
  window.addEventListener('hashchange', () => void refresh());
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) void refresh();
  });
  void refresh().then(poll);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
