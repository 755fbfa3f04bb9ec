// Return and delete: a confirmation (a real <dialog>, answered by its own buttons), then the API, then a notice.
import type { ActionAnswer, ActionRequest } from '../api-types.js';
import { api } from './api.js';
import { h, plural } from './dom.js';
import { byId, session, state } from './state.js';

export function notify(text: string, kind: 'ok' | 'error' = 'ok'): void {
  byId('notice-text').textContent = text;
  const notice = byId('notice');
  notice.className = `notice-${kind}`;
  notice.hidden = false;
}

interface Confirmation {
  readonly title: string;
  readonly text: string;
  readonly ok: string;
  /** Offer "ignore the endpoint's retention window" (returns). */
  readonly retention: boolean;
}

function confirmAction(options: Confirmation): Promise<{ ok: boolean; ignoreRetention: boolean }> {
  const dialog = byId<HTMLDialogElement>('confirm');
  const retention = byId<HTMLInputElement>('confirm-retention');
  byId('confirm-title').textContent = options.title;
  byId('confirm-text').textContent = options.text;
  byId('confirm-ok').textContent = options.ok;
  byId('confirm-retention-row').hidden = !options.retention;
  retention.checked = false;
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve({ ok: dialog.returnValue === 'ok', ignoreRetention: retention.checked }), { once: true });
    dialog.returnValue = '';
    dialog.showModal();
    byId('confirm-cancel').focus();
  });
}

async function act(action: 'return' | 'delete', selection: ActionRequest, what: string): Promise<void> {
  const returning = action === 'return';
  const returns = session().returns;
  if (returning && !returns.enabled) {
    notify(returns.reason ?? 'returns are off', 'error');
    return;
  }
  const verb = returning ? 'Return' : 'Delete';
  const answer = await confirmAction({
    title: `${verb} ${what}?`,
    text: returning
      ? 'Each message goes back to the queue it failed in, with the same messageId and its failures reset. An endpoint with idempotence handles it once.'
      : 'Deleted messages are archived: out of the lists, kept until the retention purge. Nothing is sent.',
    ok: verb,
    retention: returning,
  });
  if (!answer.ok) return;
  const body: ActionRequest = returning ? { ...selection, ignoreRetention: answer.ignoreRetention } : { ...selection };
  state.acting = true;
  try {
    const report = await api<ActionAnswer>('POST', `api/${action}`, body);
    const skipped = report.skipped.map((s) => `${s.id} (${s.reason})`).join(', ');
    notify(`${returning ? 'Returned ' : 'Deleted '}${plural(report.done.length, 'message')}${skipped ? `; skipped ${skipped}` : ''}.`, report.done.length === 0 && skipped ? 'error' : 'ok');
  } catch (error) {
    notify(`${verb} failed: ${error instanceof Error ? error.message : String(error)}`, 'error');
  } finally {
    state.acting = false;
  }
  await state.refresh();
}

/** Return and Delete buttons for `selection`, `what` naming it in the confirmation. */
export function actionButtons(selection: ActionRequest, what: string, enabled: boolean, suffix = ''): HTMLElement {
  const returns = session().returns;
  const returnsOff = !returns.enabled;
  return h(
    'span',
    { class: 'actions' },
    h('button', { type: 'button', class: 'primary', disabled: !enabled || returnsOff, title: returnsOff ? returns.reason : null, onclick: () => void act('return', selection, what) }, `Return${suffix}`),
    h('button', { type: 'button', class: 'danger', disabled: !enabled, onclick: () => void act('delete', selection, what) }, `Delete${suffix}`),
  );
}
