/**
 * What may not reach a terminal as it is: C0 controls but tab and newline (ESC starts escape sequences, CR
 * overwrites a line), DEL, C1 controls (U+009B is CSI on some terminals) and the bidirectional overrides and
 * isolates (they reorder what is shown). Message content carries any of them.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this pattern's job
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` with those characters written as `\uXXXX`: inert on a terminal, and still valid in JSON (where
 * JSON.stringify leaves C1 controls raw).
 */
export function terminalText(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A table cell: on one line, so also newlines and tabs written as escapes. */
export function cellText(text: string): string {
  return terminalText(text).replace(/\n/g, '\\n').replace(/\t/g, '\\t');
}
