import * as v from 'valibot';
import { ConfigurationError } from '../errors/errors.js';
import { describeValue } from './describe-value.js';

/** One problem with a setting: where (a dotted path) and what. */
export interface SettingProblem {
  readonly setting: string;
  readonly problem: string;
}

/**
 * Where an installed oncebus keeps the settings file's JSON Schema (package.json "files" ships config/),
 * as a path from the application's directory: what a settings file's `$schema` names.
 */
export const SETTINGS_SCHEMA_PATH = 'node_modules/oncebus/config/oncebus.schema.json';
const SCHEMA_POINTER = `point the settings file's "$schema" at ${SETTINGS_SCHEMA_PATH} and an editor checks it as you type`;

/** Settings that do not match the schema: every problem at once, each with its path. */
export class InvalidSettingsError extends ConfigurationError {
  constructor(
    readonly source: string,
    readonly problems: readonly SettingProblem[],
  ) {
    const list = problems.map((p) => `\n  - ${p.setting}: ${p.problem}`).join('');
    super(source, `${problems.length === 1 ? '1 problem' : `${problems.length} problems`}:${list}\n `, {
      hint: `fix the settings above (${SCHEMA_POINTER})`,
    });
  }
}

/**
 * Checks `value` against `schema` and returns it typed, or throws InvalidSettingsError listing every
 * problem. An unknown key is named with the closest known one ("did you mean 'threadCount'?");
 * `origins` names where a path was set (an environment variable), so the message says what to change.
 */
export function checkSettings<S extends v.GenericSchema>(schema: S, value: unknown, source: string, origins: ReadonlyMap<string, string> = new Map()): v.InferOutput<S> {
  const result = v.safeParse(schema, value, { abortEarly: false });
  if (result.success) return result.output;
  const problems: SettingProblem[] = [];
  const seen = new Set<string>();
  const add = (keys: readonly (string | number)[], problem: string) => {
    const setting = settingPath(keys);
    if (seen.has(`${setting}\0${problem}`)) return;
    seen.add(`${setting}\0${problem}`);
    const origin = origins.get(keys.join('.'));
    problems.push({ setting, problem: origin ? `${problem} (set by ${origin})` : problem });
  };
  for (const issue of result.issues) {
    const keys = (issue.path ?? []).map((p) => p.key as string | number);
    if (issue.type === 'strict_object' && issue.expected === 'never') {
      // valibot names only the first unknown key of an object: name them all.
      const parent = keys.slice(0, -1);
      const known = knownKeys(schema, parent.map(String));
      const object = at(value, parent);
      for (const key of Object.keys(object ?? {})) {
        if (known.includes(key) || key === '$schema') continue;
        const guess = closest(key, known);
        add([...parent, key], `unknown setting${guess ? `; did you mean '${guess}'?` : known.length > 0 ? `; known here: ${known.join(', ')}` : ''}`);
      }
    } else if (issue.input === undefined && issue.kind === 'schema') {
      add(keys, issue.message.startsWith('is required') ? issue.message : 'is required');
    } else {
      const message = issue.message.startsWith('Invalid') ? issue.message.replace(/^Invalid \w+: /, '') : issue.message;
      add(keys, `${message}, got ${describeValue(issue.input)}`);
    }
  }
  throw new InvalidSettingsError(source, problems);
}

/** `inbox.durationToIgnoreOnFailure[0]` */
function settingPath(keys: readonly (string | number)[]): string {
  return keys.reduce<string>((path, key) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key), '') || '(root)';
}

function at(value: unknown, keys: readonly (string | number)[]): Record<string, unknown> | undefined {
  let node = value;
  for (const key of keys) node = typeof node === 'object' && node !== null ? (node as Record<string | number, unknown>)[key] : undefined;
  return typeof node === 'object' && node !== null ? (node as Record<string, unknown>) : undefined;
}

/** The keys an object schema knows at `path` (through optional, array and union wrappers). */
function knownKeys(schema: unknown, path: readonly string[]): string[] {
  let node = unwrap(schema);
  for (const key of path) {
    const entries = (node as { entries?: Record<string, unknown> } | undefined)?.entries;
    if (entries && key in entries) node = unwrap(entries[key]);
    else if (/^\d+$/.test(key) && (node as { item?: unknown })?.item) node = unwrap((node as { item: unknown }).item);
    else return [];
  }
  const entries = (node as { entries?: Record<string, unknown> } | undefined)?.entries;
  return entries ? Object.keys(entries).filter((k) => k !== '$schema') : [];
}

/** Every object key anywhere in a schema. */
export function schemaKeys(schema: unknown, into = new Set<string>()): string[] {
  const node = unwrap(schema) as { entries?: Record<string, unknown>; item?: unknown; options?: unknown[] } | undefined;
  for (const [key, child] of Object.entries(node?.entries ?? {})) {
    into.add(key);
    schemaKeys(child, into);
  }
  if (node?.item) schemaKeys(node.item, into);
  for (const option of node?.options ?? []) schemaKeys(option, into);
  return [...into];
}

function unwrap(schema: unknown): unknown {
  let node = schema as { type?: string; wrapped?: unknown; pipe?: unknown[] } | undefined;
  for (;;) {
    if (node?.type === 'optional' && node.wrapped) node = node.wrapped as typeof node;
    else if (node?.pipe && node.pipe[0] !== node) node = node.pipe[0] as typeof node;
    else return node;
  }
}

/** The known key nearest to a misspelt one (case-insensitive edit distance ≤ 3), if any. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
