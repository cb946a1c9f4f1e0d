#!/usr/bin/env node
import { selectBackend } from '@rrm/backend';
import { measureFmaPeak } from '@rrm/tfjs-backend-native';
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
  if (opts.peakOnly) {
    console.log(JSON.stringify(fmaPeak()));
    return;
  }
  const backend = await selectBackend(opts.backend, {
    log: (line) => console.error(line),
    asyncReads: true,
  });
  // Measured before the steps, in the same process: the fraction holds on this machine.
  const peak = CPU_BACKENDS.has(backend) ? fmaPeak() : null;
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
  const fraction = peak && 'peak_gflop_s' in peak ? result.gflop_s / peak.peak_gflop_s : null;
  console.log(
    JSON.stringify({
      ...result,
      ...peak,
      ...(fraction === null ? {} : { fraction_of_peak: Math.round(fraction * 1000) / 1000 }),
    }),
  );
}

/** Backends whose arithmetic runs on this machine's CPU cores. */
const CPU_BACKENDS = new Set(['native', 'cpu', 'wasm', 'tensorflow']);

/** The FMA peak (from the native addon, which measures it), or why it is not known. */
function fmaPeak():
  | { peak_gflop_s: number; peak_isa: string; peak_threads: number }
  | { peak: string } {
  try {
    const p = measureFmaPeak(1);
    return {
      peak_gflop_s: Math.round(p.gflops * 10) / 10,
      peak_isa: p.isa,
      peak_threads: p.threads,
    };
  } catch (e) {
    return { peak: `not measured: ${(e as Error).message}` };
  }
}

main().catch((e: unknown) => {
  console.error(`rrm-bench: ${(e as Error).message}`);
  process.exit(1);
});
