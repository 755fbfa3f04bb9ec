import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The ```json blocks of a doc introduced by a line "`config/<file>.json`:", by file. */
function shownSettings(doc: string): Map<string, unknown> {
  const lines = readFileSync(join(ROOT, doc), 'utf8').split('\n');
  const shown = new Map<string, unknown>();
  for (let i = 0; i < lines.length; i++) {
    const file = /^`(config\/[\w-]+\.json)`:$/.exec(lines[i] ?? '')?.[1];
    if (!file) continue;
    const start = lines.indexOf('```json', i);
    const end = lines.indexOf('```', start + 1);
    shown.set(file, JSON.parse(lines.slice(start + 1, end).join('\n')));
  }
  return shown;
}

const withoutSchema = (settings: unknown) => ({ ...(settings as Record<string, unknown>), $schema: undefined });

describe('docs/routing.md shows the example settings files the package ships', () => {
  const shown = shownSettings('docs/routing.md');

  it('shows the send-only and the subscriber example', () => {
    expect([...shown.keys()]).to.deep.equal(['config/web-endpoint.json', 'config/billing-endpoint.json']);
  });

  it('as they are in config/, but for $schema, which names the installed package from a project', () => {
    for (const [file, settings] of shown) {
      expect(withoutSchema(settings), file).to.deep.equal(withoutSchema(JSON.parse(readFileSync(join(ROOT, file), 'utf8'))));
      expect((settings as { $schema: string }).$schema, file).to.equal('../node_modules/oncebus/config/oncebus.schema.json');
    }
  });
});
