#!/usr/bin/env node
// Issue 7's comparison in one run: the MLP and attention TRM workloads on each
// backend and on PyTorch (apps/bench/pytorch/trm_step.py), one after another on
// this machine, as a markdown table: each figure is the median over `--rounds`
// interleaved runs of `--steps` steps. `pnpm bench:compare [--cpu] [--steps 5]
// [--rounds 3]`. PYTHON names an interpreter that imports torch (Debian: apt-get install
// python3-torch, then PYTHON=/usr/bin/python3).
import { parseArgs } from 'node:util';
import { type BenchOptions, parseBenchArgs } from './args';
import { median } from './bench';
import { stepFlops } from './flops';
import { bench, peak, python, pythonCan, type Row, torch, WORKLOADS } from './runners';

function main(): void {
  if (!pythonCan('import torch')) {
    throw new Error(
      `${python} cannot import torch; install PyTorch for it or set PYTHON (Debian: apt-get install python3-torch, PYTHON=/usr/bin/python3)`,
    );
  }
  const { values } = parseArgs({
    options: {
      cpu: { type: 'boolean', default: false },
      steps: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '3' },
    },
  });
  const steps = Number(values.steps);
  const rounds = Number(values.rounds);
  // The denominator of "% of peak", measured here and now on every native thread.
  const fma = peak();
  console.log(
    `FMA peak: ${fma.peak_gflop_s} GFLOP/s (${fma.peak_isa}, ${fma.peak_threads} threads); GFLOP counted from each config (rrm-bench's stepFlops)\n`,
  );
  console.log(
    `| Workload | Run | ms/step | CPU ms/step | GFLOP/s | % of peak | peak RSS MB | leaked | vs PyTorch | vs PyTorch, BLAS 1 thread |`,
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [name, workload] of Object.entries(WORKLOADS)) {
    const flags = `${workload} --batch 32`;
    const gflop = stepFlops(parseBenchArgs(flags.split(' ')) as BenchOptions) / 1e9;
    const runners: Array<[string, () => Row]> = [
      ['PyTorch eager, 1 thread (OpenBLAS default)', () => torch(flags, steps)],
      [
        'PyTorch eager, 1 thread, OPENBLAS_NUM_THREADS=1',
        () => torch(flags, steps, { blasThreads: 1 }),
      ],
      ['native', () => bench('native', flags, steps)],
    ];
    // Rounds interleave the runs, so a slow spell on the machine hits all of them.
    const results = runners.map(() => [] as Row[]);
    for (let r = 0; r < rounds; r++) {
      for (const [i, [, f]] of runners.entries()) results[i].push(f());
    }
    const rows: Array<[string, Row[]]> = runners.map(([label], i) => [label, results[i]]);
    if (values.cpu) rows.push(['cpu (1 step, 1 round)', [bench('cpu', flags, 1)]]);
    const [torchMs, torchSerialMs] = rows
      .slice(0, 2)
      .map(([, rs]) => median(rs.map((r) => r.ms_per_step)));
    for (const [label, rs] of rows) {
      const ms = median(rs.map((r) => r.ms_per_step));
      const cpuMs = median(rs.map((r) => r.cpu_ms_per_step));
      const rss = Math.max(...rs.map((r) => r.peak_rss_mb));
      const leaked =
        rs[0].tensors_leaked === undefined
          ? '–'
          : Math.max(...rs.map((r) => r.tensors_leaked ?? 0));
      const gflopS = (1000 * gflop) / ms;
      console.log(
        `| ${name} (${gflop.toFixed(1)} GFLOP) | ${label} | ${ms} | ${cpuMs} | ${gflopS.toFixed(1)} | ${((100 * gflopS) / fma.peak_gflop_s).toFixed(0)} % | ${rss} | ${leaked} | ${(ms / torchMs).toFixed(2)}× | ${(ms / torchSerialMs).toFixed(2)}× |`,
      );
    }
  }
}

try {
  main();
} catch (e) {
  console.error(`bench:compare: ${(e as Error).message}`);
  process.exit(1);
}
