#!/usr/bin/env node
import { selectBackend } from '@rrm/backend';
import { parseBenchArgs, USAGE } from './args';
import { runBench } from './bench';

async function main(): Promise<void> {
  const opts = parseBenchArgs(process.argv.slice(2));
  if (opts === 'help') {
    console.log(USAGE);
    return;
  }
  // stdout carries only the JSON line; the backend choice goes to stderr.
  await selectBackend(opts.backend, { log: (line) => console.error(line) });
  console.log(JSON.stringify(runBench(opts)));
}

main().catch((e: unknown) => {
  console.error(`rrm-bench: ${(e as Error).message}`);
  process.exit(1);
});
