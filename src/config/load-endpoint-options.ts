import { readFileSync } from 'node:fs';
import { ConfigurationError } from '../errors/errors.js';
import { checkSettings, schemaKeys } from './check-settings.js';
import { type EndpointSettings, endpointSettingsSchema } from './endpoint-schema.js';

/** The prefix of environment variables that override file settings: ONCEBUS_INBOX__WORKQUEUEURI=… */
export const ENV_PREFIX = 'ONCEBUS_';

/**
 * Reads endpoint settings from a JSON file (config/*.json), then applies environment overrides: a variable
 * `ONCEBUS_<PATH>` with path segments joined by `__` sets that setting (matched case-insensitively, `_`
 * ignored inside a segment), e.g. `ONCEBUS_INBOX__THREAD_COUNT=8`. Values that parse as JSON (numbers,
 * booleans, arrays) are used as such, others as strings. A variable whose first segment names no top-level
 * setting is not one of these and is left alone (ONCEBUS_STORE and ONCEBUS_SCHEMA belong to the `oncebus`
 * command, which reads settings files too). Classes (handlers, message types) come from
 * code: merge the result with them (`{ ...loaded, handlers: [...] }`). The result is checked against the
 * schema (endpoint-schema.ts): an unknown key, from the file or a variable, and every bad value are
 * reported at once in one InvalidSettingsError.
 */
export function loadEndpointSettings(file: string, env: NodeJS.ProcessEnv = process.env): EndpointSettings {
  let settings: unknown;
  try {
    settings = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new ConfigurationError(file, `cannot read endpoint settings: ${(cause as Error).message}`, { cause });
  }
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
    throw new ConfigurationError(file, 'endpoint settings must be a JSON object');
  }
  const origins = applyEnvironment(settings as Record<string, unknown>, env);
  const { $schema: _, ...checked } = checkSettings(endpointSettingsSchema, settings, file, origins);
  return checked;
}

/** Applies ONCEBUS_… variables to `settings`; returns which variable set which path (for error messages). */
export function applyEnvironment(settings: Record<string, unknown>, env: NodeJS.ProcessEnv): Map<string, string> {
  const origins = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue;
    const path = name.slice(ENV_PREFIX.length).split('__');
    if (!TOP_LEVEL_KEYS.has(normalize(path[0]!))) continue;
    let node: Record<string, unknown> = settings;
    const keys: string[] = [];
    for (let i = 0; i < path.length; i++) {
      const segment = path[i]!;
      const key = known(segment) ?? Object.keys(node).find((k) => normalize(k) === normalize(segment)) ?? camel(segment);
      keys.push(key);
      if (i === path.length - 1) {
        node[key] = parseValue(value);
        origins.set(keys.join('.'), name);
      } else {
        const next = node[key];
        if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
        node = node[key] as Record<string, unknown>;
      }
    }
  }
  return origins;
}

const normalize = (s: string): string => s.replace(/_/g, '').toLowerCase();

/** Every key the settings schema knows, by normalized spelling: ONCEBUS_INBOX__THREADCOUNT finds threadCount. */
const KNOWN_KEYS = new Map(schemaKeys(endpointSettingsSchema).map((k) => [normalize(k), k]));
const known = (segment: string): string | undefined => KNOWN_KEYS.get(normalize(segment));
/** The settings' top level: a variable must start with one of these to be an override. */
const TOP_LEVEL_KEYS = new Set(Object.keys(endpointSettingsSchema.entries).map(normalize));
const camel = (s: string): string => s.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function parseValue(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}
