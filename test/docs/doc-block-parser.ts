/** A ```ts block of a markdown file: where it is, its code, and whether it is a fragment (compiled, not run). */
export interface DocBlock {
  readonly file: string;
  /** The line of its opening fence (1-based). */
  readonly line: number;
  /** A file name for it: README_md_line34. */
  readonly name: string;
  readonly code: string;
  /** Opened with ```ts fragment: code that needs code around it, or servers the tests do not have. */
  readonly fragment: boolean;
}

const OPENING = /^```ts( fragment)?$/;

/** The ```ts blocks of a markdown file's text; any other info string after `ts` is a mistake and throws. */
export function docBlocks(file: string, text: string): DocBlock[] {
  const lines = text.split('\n');
  const found: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (!line.startsWith('```ts')) continue;
    const opening = OPENING.exec(line);
    if (!opening) throw new Error(`${file}:${i + 1}: unknown block marker '${line}' (use \`\`\`ts, or \`\`\`ts fragment for a block that is only compiled)`);
    const end = lines.indexOf('```', i + 1);
    if (end < 0) throw new Error(`${file}:${i + 1}: the block is never closed`);
    found.push({ file, line: i + 1, name: `${file.replace(/[/.]/g, '_')}_line${i + 1}`, code: lines.slice(i + 1, end).join('\n'), fragment: opening[1] !== undefined });
    i = end;
  }
  return found;
}
