import { ConfigurationError } from '../errors/errors.js';
import type { MessageClass } from '../messages/message-type.js';
import { messageTypeNameOf } from '../messages/message-type.js';
import type { Route, RouteSpecification } from './route-specification.js';

type Matcher = (messageType: string) => boolean;

/**
 * Routes compiled once at start. The first route whose specification matches wins (configuration order).
 * Answers are cached per type name, so a send costs one Map lookup after the first.
 */
export class RouteTable {
  private readonly compiled: { uri: string; matches: Matcher[] }[];
  private readonly cache = new Map<string, string | null>();

  constructor(routes: readonly Route[]) {
    this.compiled = routes.map((route, i) => {
      const setting = `routes[${i}]`;
      if (typeof route.uri !== 'string' || !route.uri.includes('://')) {
        throw new ConfigurationError(`${setting}.uri`, `'${String(route.uri)}' is not a queue URI`);
      }
      if (!Array.isArray(route.specifications) || route.specifications.length === 0) {
        throw new ConfigurationError(`${setting}.specifications`, 'a route needs at least one specification');
      }
      return { uri: route.uri, matches: route.specifications.map((s, j) => compile(s, `${setting}.specifications[${j}]`)) };
    });
  }

  /** The queue URI for a type, or null when no route matches. */
  uriFor(messageType: string): string | null {
    let uri = this.cache.get(messageType);
    if (uri === undefined) {
      uri = this.compiled.find((r) => r.matches.some((m) => m(messageType)))?.uri ?? null;
      this.cache.set(messageType, uri);
    }
    return uri;
  }

  /** Every URI a route names (queues to check or create at start). */
  get uris(): string[] {
    return [...new Set(this.compiled.map((r) => r.uri))];
  }
}

function compile(spec: RouteSpecification, setting: string): Matcher {
  if ('startsWith' in spec) {
    const prefix = spec.startsWith;
    return (t) => t.startsWith(prefix);
  }
  if ('regex' in spec) {
    let re: RegExp;
    try {
      re = typeof spec.regex === 'string' ? new RegExp(spec.regex) : spec.regex;
    } catch (cause) {
      throw new ConfigurationError(setting, `invalid regex '${String(spec.regex)}'`, { cause });
    }
    return (t) => re.test(t);
  }
  if ('types' in spec) {
    const names = new Set(spec.types.map((t) => (typeof t === 'string' ? t : typeNameOrFail(t, setting))));
    return (t) => names.has(t);
  }
  throw new ConfigurationError(setting, 'a specification needs startsWith, regex or types');
}

function typeNameOrFail(type: MessageClass, setting: string): string {
  const name = messageTypeNameOf(type);
  if (!name) throw new ConfigurationError(setting, `class ${type.name} has no message type name`);
  return name;
}
