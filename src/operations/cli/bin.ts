#!/usr/bin/env node
// The `oncebus` command (package.json "bin"): see main.ts.
import { run } from './main.js';

process.exitCode = await run(process.argv);
