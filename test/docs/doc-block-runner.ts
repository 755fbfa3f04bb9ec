// Runs one compiled documentation block (the doc-blocks test starts it as a child process): a throw or a
// rejection anywhere exits 1 with the error. A block may leave an endpoint running, as the quickstart does
// (a user's process would go on serving); once its top level has finished, it gets a moment to fail, then ends.
import { pathToFileURL } from 'node:url';

const GRACE_MS = 300;
const fail = (error: unknown) => {
  console.error(error);
  process.exit(1);
};
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

const file = process.argv[2];
if (!file) fail(new Error('usage: doc-block-runner <block.mjs>'));
await import(pathToFileURL(file ?? '').href).catch(fail);
setTimeout(() => process.exit(0), GRACE_MS);
