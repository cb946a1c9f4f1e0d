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
  // runBench reads with await only, so webgpu in Node can run it.
  await selectBackend(opts.backend, { log: (line) => console.error(line), asyncReads: true });
  const { profile, ...result } = await runBench(opts);
  if (profile) {
    const total = profile.reduce((t, r) => t + r.ms, 0);
    console.error(`kernel time of one profiled step: ${total.toFixed(0)} ms`);
    for (const r of profile) {
      const share = ((100 * r.ms) / total).toFixed(1).padStart(5);
      console.error(
        `${share}%  ${String(r.ms).padStart(9)} ms  ${String(r.calls).padStart(6)}×  ${r.kernel}`,
      );
    }
  }
  console.log(JSON.stringify(result));
}

main().catch((e: unknown) => {
  console.error(`rrm-bench: ${(e as Error).message}`);
  process.exit(1);
});
