// One scan over the text, never a backtracking regex: its input (a failure line, a header, a message type)
// may be an attacker's, and a pattern that rescans from every `//` made one 156 KB message type cost 10 s.

/** Text longer than this is cut before it is masked (see maskSecrets). */
const MAX_MASKED_CHARS = 64 * 1024;

/**
 * Key names whose value is a secret, matched as the end of a key (so `sslpassword`, `DB_PASSWORD` and
 * `SharedAccessKey` are, and `SharedAccessKeyName` is not), lower case.
 */
const SECRET_KEY_ENDINGS = [
  'password',
  'passwd',
  'pwd',
  'secret',
  'token',
  'accountkey',
  'accesskey',
  'sharedaccesskey',
  'sharedaccesssignature',
  'apikey',
  'api_key',
  'api-key',
] as const;
/** Keys that are secrets only when they are the whole key (an Azure SAS's `sig=`, a `pass=`). */
const SECRET_KEYS = new Set(['sig', 'pass']);
/** How far back from a `=` or `:` a key is looked for: enough for every ending above. */
const KEY_LOOKBACK = 32;
/** How far back from an `@` a `user:` is looked for, in a URI that lost its `//`. */
const USER_LOOKBACK = 256;

const MASK = '***';

/**
 * The text with every secret hidden, for anything shown (errors, logs, the CLI, the dashboard):
 * - the user info of a URI: `postgres://app:s3cret@db` → `postgres://app:***@db`, `amqp://tok@h` →
 *   `amqp://***@h` (a user alone may be a token), `postgres://:pw@db` → `postgres://:***@db`; the user info
 *   ends at the authority's last `@`, so a password holding an unencoded `@` is hidden whole;
 * - the values of secret settings, in `key=value` form (libpq, ADO.NET/ODBC braced and quoted values,
 *   Azure's `SharedAccessKey=`, query parameters) and in JSON (`"password": "…"`).
 * Linear in the text's length; text longer than `maxChars` (default 64 KiB) is cut first, saying so, and
 * a URI or value cut short is hidden whole.
 */
export function maskSecrets(text: string, maxChars: number = MAX_MASKED_CHARS): string {
  const cut = text.length > maxChars;
  const source = cut ? cutAt(text, maxChars) : text;
  const masked = new Masker(source, cut).run();
  return cut ? `${masked}… (cut: ${text.length - source.length} more characters)` : masked;
}

/** The first `max` characters, not splitting a surrogate pair. */
function cutAt(text: string, max: number): string {
  const end = max > 0 && isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return text.slice(0, Math.max(0, end));
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
const isKeyChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_.-]/.test(c);
/** Where a URI's authority ends: whitespace, a path, or a character no URI holds unencoded. */
const endsAuthority = (c: string): boolean => isSpace(c) || c === '/' || c === '"' || c === '<' || c === '>' || c === '`';
/** Where a word that may be a mistyped URI begins, looking back from its `@`. */
const endsWord = (c: string): boolean => endsAuthority(c) || c === "'" || c === '(' || c === ')' || c === ',' || c === ';' || c === '=';
/** Where an unquoted value ends. */
const endsValue = (c: string): boolean => isSpace(c) || c === ';' || c === '&' || c === '"' || c === '<' || c === '>';

class Masker {
  private readonly out: string[] = [];
  /** Start of the text not yet copied to `out`. */
  private copied = 0;

  constructor(
    private readonly text: string,
    /** The text was cut: a URI or value reaching its end may go on past it. */
    private readonly cut: boolean,
  ) {}

  run(): string {
    const t = this.text;
    let i = 0;
    while (i < t.length) {
      const c = t[i]!;
      if (c === '/' && t[i + 1] === '/') i = this.authority(i + 2);
      else if (c === '@') i = this.bareUserInfo(i);
      else if (c === '=') i = this.setting(i, i + 1, false);
      else if (c === ':' && (t[i - 1] === '"' || t[i - 1] === "'")) i = this.setting(i, i + 1, true);
      else i++;
    }
    this.out.push(t.slice(this.copied));
    return this.out.join('');
  }

  /** Replaces text[from, to) by `replacement`. */
  private replace(from: number, to: number, replacement: string): void {
    this.out.push(this.text.slice(this.copied, from), replacement);
    this.copied = to;
  }

  /** After a `//`: hides the user info, if the authority has one; returns where to go on scanning. */
  private authority(start: number): number {
    const t = this.text;
    let end = start;
    let lastAt = -1;
    let firstColon = -1;
    while (end < t.length && !endsAuthority(t[end]!)) {
      if (t[end] === '@') lastAt = end;
      else if (t[end] === ':' && firstColon < 0) firstColon = end;
      end++;
    }
    if (lastAt < 0) {
      // Cut inside what may be a user info still to come: hide it all.
      if (this.cut && end === t.length && end > start) {
        this.replace(start, end, MASK);
        return end;
      }
      return start;
    }
    const keepsUser = firstColon >= 0 && firstColon < lastAt;
    this.replace(keepsUser ? firstColon + 1 : start, lastAt, MASK);
    return lastAt + 1;
  }

  /**
   * At an `@` no `//` came before (`guest:pw@host/q`, a URI mistyped without its scheme or slashes): hides
   * what follows the `user:` of its word, up to the word's last `@`. A word without a `:` (a mail address)
   * is left as it is.
   */
  private bareUserInfo(at: number): number {
    const t = this.text;
    // Back to the word's start, or to an earlier `@` (each stretch between two is looked at once: linear).
    const floor = Math.max(this.copied, at - USER_LOOKBACK);
    let colon = -1;
    for (let i = at - 1; i >= floor && !endsWord(t[i]!) && t[i] !== '@'; i--) if (t[i] === ':') colon = i;
    if (colon < 0) return at + 1;
    let end = at;
    let lastAt = at;
    while (end < t.length && !endsAuthority(t[end]!)) {
      if (t[end] === '@') lastAt = end;
      end++;
    }
    this.replace(colon + 1, lastAt, MASK);
    return lastAt + 1;
  }

  /**
   * At a `=` (or a `:` after a quoted key, for JSON): when the key before it names a secret, hides the
   * value after it. `json` keeps a quoted value's quotes (the text stays JSON).
   */
  private setting(separator: number, after: number, json: boolean): number {
    const key = this.keyBefore(json ? separator - 1 : separator);
    if (key === null || !isSecretKey(key)) return after;
    const t = this.text;
    let from = after;
    while (from < t.length && (t[from] === ' ' || t[from] === '\t')) from++;
    const to = valueEnd(t, from);
    if (to === from) return after;
    const quote = t[from];
    const quoted = json && (quote === '"' || quote === "'") && to - from >= 2 && t[to - 1] === quote;
    this.replace(from, to, quoted ? `${quote}${MASK}${quote}` : MASK);
    return to;
  }

  /** The key ending just before `end` (spaces between it and the separator allowed), lower case; null if none. */
  private keyBefore(end: number): string | null {
    const t = this.text;
    const floor = Math.max(0, end - KEY_LOOKBACK);
    let stop = end;
    while (stop > floor && (t[stop - 1] === ' ' || t[stop - 1] === '\t')) stop--;
    if (t[end] === '"' || t[end] === "'") stop = end; // JSON: the key ends at its closing quote
    let begin = stop;
    while (begin > floor && isKeyChar(t[begin - 1])) begin--;
    return begin < stop ? t.slice(begin, stop).toLowerCase() : null;
  }
}

function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key) || SECRET_KEY_ENDINGS.some((ending) => key.endsWith(ending));
}

/**
 * Where a value starting at `from` ends: a braced value ({…}, `}}` escaping a brace), a single- or
 * double-quoted one (`''` doubled or backslash-escaped quotes inside), or up to a separator. An opened
 * quote or brace that does not close runs to the end of the text.
 */
function valueEnd(t: string, from: number): number {
  const open = t[from];
  if (open === '{' || open === "'" || open === '"') {
    const close = open === '{' ? '}' : open;
    let i = from + 1;
    while (i < t.length) {
      const c = t[i]!;
      if (c === '\\' && open !== '{') i += 2;
      else if (c === close && t[i + 1] === close) i += 2;
      else if (c === close) return i + 1;
      else i++;
    }
    return t.length;
  }
  let i = from;
  while (i < t.length && !endsValue(t[i]!)) i++;
  return i;
}

/** Headers whose whole value is a credential, whatever it looks like (`Bearer …`, a cookie list). */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

/**
 * An HTTP header's value as shown: hidden whole when its name says it holds a credential (Authorization,
 * Cookie, Set-Cookie, or a name ending like a secret setting: `X-Api-Key`, `X-Auth-Token`), else masked as
 * text by maskSecrets (a Location holding `postgres://app:pw@db`). Bounded as maskSecrets bounds.
 */
export function maskHeaderValue(name: string, value: string, maxChars: number = MAX_MASKED_CHARS): string {
  const lower = name.toLowerCase();
  if (CREDENTIAL_HEADERS.has(lower) || isSecretKey(lower)) return value.length === 0 ? value : MASK;
  return maskSecrets(value, maxChars);
}
