#!/usr/bin/env node
// Issue 12's scaling table in one run: the MLP training step of `bench:compare` with one
// axis varied at a time (batch, sequence, hidden width), then at 1 and at 2 threads, on
// `native`, as a markdown table of ms/step, GFLOP/s and the fraction of the FMA peak
// measured first in the same run. `pnpm bench:scaling [--steps 2]`.
import { parseArgs } from 'node:util';
import { type BenchOptions, parseBenchArgs } from './args';
import { stepFlops } from './flops';
import { bench, peak } from './runners';

const BASE = { batch: 32, seq: 81, hidden: 128 };
const AXES: Array<[keyof typeof BASE, number[]]> = [
  ['batch', [8, 32, 128, 256]],
  ['seq', [36, 81, 324, 900]],
  ['hidden', [64, 128, 256, 512]],
];

function flagsOf(shape: typeof BASE): string {
  return `--mlp-t --batch ${shape.batch} --seq ${shape.seq} --hidden ${shape.hidden} --layers 2 --h-cycles 3 --l-cycles 6`;
}

function main(): void {
  const { values } = parseArgs({ options: { steps: { type: 'string', default: '2' } } });
  const steps = Number(values.steps);
  const fma = peak();
  console.log(
    `FMA peak: ${fma.peak_gflop_s} GFLOP/s (${fma.peak_isa}, ${fma.peak_threads} threads); TRM-MLP training step, L_layers 2, T 3, n 6; ${steps} timed steps each\n`,
  );
  console.log('| batch | seq | hidden | threads | GFLOP/step | ms/step | GFLOP/s | % of peak |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  const row = (shape: typeof BASE, threads?: number) => {
    const flags = flagsOf(shape);
    const gflop = stepFlops(parseBenchArgs(flags.split(' ')) as BenchOptions) / 1e9;
    const env = threads ? { RRM_NATIVE_THREADS: String(threads) } : {};
    const r = bench('native', flags, steps, env);
    const gflopS = (1000 * gflop) / r.ms_per_step;
    // One thread has half of the two-thread peak (the peak loop scales linearly).
    const peakHere = threads ? (fma.peak_gflop_s * threads) / fma.peak_threads : fma.peak_gflop_s;
    console.log(
      `| ${shape.batch} | ${shape.seq} | ${shape.hidden} | ${threads ?? fma.peak_threads} | ${gflop.toFixed(1)} | ${r.ms_per_step} | ${gflopS.toFixed(1)} | ${((100 * gflopS) / peakHere).toFixed(0)} % |`,
    );
  };
  for (const [axis, sizes] of AXES) for (const size of sizes) row({ ...BASE, [axis]: size });
  row(BASE, 1);
}

try {
  main();
} catch (e) {
  console.error(`bench:scaling: ${(e as Error).message}`);
  process.exit(1);
}
