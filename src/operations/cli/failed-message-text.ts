
import { maskSecrets } from '../../secrets/mask-secrets.js';
import type { FailedMessageDetail } from '../errors/failed-message-types.js';
import { shownMessage } from '../shown.js';
import { EXCEPTION_STACK_HEADER } from '../../envelope/oncebus-headers.js';

// `oncebus errors show`: one failed message for an operator's eye or a script. Everything but the body is
// masked (no secret shown); the body is shown whole, as the sender wrote it (the dashboard cuts it).

/** A header, a failure line, the stack: at most this much each (a 20 MB header is not read in a terminal). */
const FIELD_CHARS = 1024 * 1024;

const masked = (text: string): string => maskSecrets(text, FIELD_CHARS);

/** The body: its JSON, its text when it is readable UTF-8, else `{ base64 }`. */
function body(detail: FailedMessageDetail): unknown {
  const bytes = detail.envelope?.message;
  if (!bytes) return null;
  const text = Buffer.from(bytes).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const readable = Buffer.from(text, 'utf8').equals(Buffer.from(bytes)) && !/\p{Cc}/u.test(text.replace(/[\t\n\r]/g, ''));
    return readable ? text : { base64: Buffer.from(bytes).toString('base64') };
  }
}

function headersOf(d: FailedMessageDetail): [string, string][] {
  return Object.entries(d.envelope?.headers ?? {}).map(([name, value]) => [masked(name), masked(String(value))]);
}

/** `--json`: the record, its headers and body, every failure and the stack. */
export function detailJson(d: FailedMessageDetail): Record<string, unknown> {
  const { raw, envelope, failures, stack, actions, ...record } = d;
  return {
    ...shownMessage(record),
    failures: failures.map(masked),
    stack: stack === null ? null : masked(stack),
    ignoreRetention: d.ignoreRetention,
    actions: actions.map((a) => ({ ...a, by: masked(a.by) })),
    headers: Object.fromEntries(headersOf(d)),
    body: body(d),
    rawBytes: raw.length,
  };
}

/** For a terminal. */
export function detailText(detail: FailedMessageDetail): string {
  const d = shownMessage(detail);
  const lines = [
    `${d.messageType} ${d.messageId} (${d.status}${d.statusBy ? ` by ${d.statusBy}` : ''})`,
    `  from ${d.sourceQueue || '(unknown)'} to ${d.errorQueue}, failed ${d.timesFailed} time(s), last ${new Date(d.lastFailedAt).toISOString()}`,
    `  group ${d.groupId}: ${d.groupTitle}`,
    'headers:',
    ...headersOf(detail)
      .filter(([name]) => name !== EXCEPTION_STACK_HEADER)
      .map(([name, value]) => `  ${name}: ${value}`),
    'body:',
    `  ${JSON.stringify(body(detail), null, 2).replace(/\n/g, '\n  ')}`,
    'failures:',
    ...detail.failures.map((f) => `  ${masked(f)}`),
    ...(detail.stack ? ['stack:', `  ${masked(detail.stack).replace(/\n/g, '\n  ')}`] : []),
    ...(detail.actions.length > 0 ? ['actions:', ...detail.actions.map((a) => `  ${new Date(a.at).toISOString()} ${a.action} by ${masked(a.by)}`)] : []),
  ];
  return lines.join('\n');
}
