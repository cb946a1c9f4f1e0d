#!/usr/bin/env node
import { run } from './main.js';

// Output piped into `head` closes early; that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
process.exitCode = await run(process.argv.slice(2));
