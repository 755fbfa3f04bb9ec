// Building the page's elements. Every value from the server reaches the page as text: text nodes,
// textContent and attribute values built here, never markup. The Content-Security-Policy forbids inline
// scripts and requires Trusted Types, so an innerHTML assignment would throw rather than parse a message.
import type { FailedMessageStatus } from '../api-types.js';

type AttributeValue = string | number | boolean | null | undefined;
/** Attributes, `class`, `value`, and `on<event>` listeners. */
export type Attributes = Readonly<Record<string, AttributeValue | ((event: Event) => void)>>;
export type Child = Node | string | number | null | undefined | false | readonly Child[];

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = String(value);
    else if (name === 'value') (element as unknown as HTMLInputElement).value = String(value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  return append(element, children);
}

export function append<T extends Node & ParentNode>(parent: T, children: readonly Child[]): T {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child as readonly Child[]);
    else parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

export const frag = (...children: Child[]): DocumentFragment => append(document.createDocumentFragment(), children);

/** '12s', '3m 05s', '2h 10m', '4d 3h'. */
export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

/** A time as "… ago", kept current by tickTimes(). */
export function time(ms: number | null): HTMLElement {
  if (!ms) return h('span', { class: 'muted' }, '-');
  const d = new Date(ms);
  return h('time', { datetime: d.toISOString(), title: d.toLocaleString(), 'data-at': ms }, `${ago(Date.now() - ms)} ago`);
}

export function tickTimes(): void {
  for (const element of document.querySelectorAll('time[data-at]')) element.textContent = `${ago(Date.now() - Number(element.getAttribute('data-at')))} ago`;
}

export const STATUS_NAMES: Readonly<Record<FailedMessageStatus, string>> = { unresolved: 'unresolved', returning: 'returning', returned: 'returned', archived: 'deleted' };

export const badge = (status: FailedMessageStatus): HTMLElement => h('span', { class: `status status-${status}`, 'data-status': status }, STATUS_NAMES[status] ?? status);
export const section = (title: string, body: Child): HTMLElement => h('section', { class: 'panel' }, h('h2', null, title), body);
export const empty = (text: string): HTMLElement => h('p', { class: 'empty' }, text);
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A table; a column heading ending in '#' heads numbers (right-aligned). */
export function table(head: readonly string[], rows: readonly Child[], attributes?: Attributes): HTMLTableElement {
  const th = (c: string) => (c.endsWith('#') ? h('th', { scope: 'col', class: 'num' }, c.slice(0, -1)) : h('th', { scope: 'col' }, c));
  return h('table', attributes ?? null, h('thead', null, h('tr', null, head.map(th))), h('tbody', null, rows));
}
