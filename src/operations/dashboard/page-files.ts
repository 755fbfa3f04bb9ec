import { readdir, readFile } from 'node:fs/promises';
import { ConfigurationError } from '../../errors/errors.js';
import { APP_CSS } from './assets/app-css.js';
import { INDEX_HTML } from './assets/index-html.js';

/** A file of the page, as served. */
export interface PageFile {
  readonly type: string;
  readonly body: string;
}

/** The page's script: compiled for the browser from src/operations/dashboard/page (tsconfig.dashboard.json) into this folder. */
const SCRIPTS = new URL('./page/', import.meta.url);

/**
 * The page's files by path: the HTML, the style, and each module of its script (`/app.js` and the modules it
 * imports, read once from the compiled folder). Nothing else is served from disk.
 */
export async function pageFiles(): Promise<ReadonlyMap<string, PageFile>> {
  const names = (await readdir(SCRIPTS).catch(() => [] as string[])).filter((name) => /^[a-z][a-z0-9-]*\.js$/.test(name));
  if (!names.includes('app.js')) {
    throw new ConfigurationError('dashboard', `the page's script is missing (no app.js in ${decodeURIComponent(SCRIPTS.pathname)})`, {
      hint: 'build it: npm run build (it compiles tsconfig.dashboard.json too), or reinstall the package',
    });
  }
  const files = new Map<string, PageFile>([
    ['/', { type: 'text/html; charset=utf-8', body: INDEX_HTML }],
    ['/app.css', { type: 'text/css; charset=utf-8', body: APP_CSS }],
  ]);
  for (const name of names) files.set(`/${name}`, { type: 'text/javascript; charset=utf-8', body: await readFile(new URL(name, SCRIPTS), 'utf8') });
  return files;
}
