import { selectBackend } from '@rrm/backend';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BenchOptions, parseBenchArgs } from '../src/args';
import { benchConfig, runBench } from '../src/bench';
import { stepFlops } from '../src/flops';

describe('parseBenchArgs', () => {
  it('defaults to the TRM workload of the issue and tolerates a bare --', () => {
    const o = parseBenchArgs(['--', '--backend', 'native', '--mlp-t']) as BenchOptions;
    expect(o).toMatchObject({
      backend: 'native',
      model: 'trm',
      mlpT: true,
      batch: 32,
      seq: 81,
      hidden: 128,
      layers: 2,
      hCycles: 3,
      lCycles: 6,
      mode: 'train',
      profile: false,
    });
    expect(parseBenchArgs(['--help'])).toBe('help');
  });

  it('reads every flag', () => {
    const o = parseBenchArgs(
      '--model hrm --batch 2 --seq 9 --hidden 16 --heads 2 --layers 1 --h-layers 3 --h-cycles 2 --l-cycles 1 --steps 4 --mode eval --backend cpu --profile'.split(
        ' ',
      ),
    ) as BenchOptions;
    expect(o).toEqual({
      backend: 'cpu',
      model: 'hrm',
      mlpT: false,
      batch: 2,
      seq: 9,
      hidden: 16,
      heads: 2,
      layers: 1,
      hLayers: 3,
      hCycles: 2,
      lCycles: 1,
      steps: 4,
      mode: 'eval',
      profile: true,
      peakOnly: false,
    });
    expect(parseBenchArgs(['--peak'])).toMatchObject({ peakOnly: true });
  });

  it('names the flag in errors', () => {
    expect(() => parseBenchArgs(['--batch', '0'])).toThrow(/--batch: expected a positive integer/);
    expect(() => parseBenchArgs(['--model', 'gpt'])).toThrow(/--model: expected one of trm, hrm/);
    expect(() => parseBenchArgs(['--hidden', '10', '--heads', '4'])).toThrow(/--hidden \(10\)/);
    expect(() => parseBenchArgs(['--backend', 'tpu'])).toThrow(/--backend/);
    expect(() => parseBenchArgs(['--model', 'hrm', '--mlp-t'])).toThrow(/--mlp-t/);
    expect(() => parseBenchArgs(['--speed'])).toThrow(/speed/);
  });
});

describe('runBench', () => {
  beforeAll(async () => {
    await selectBackend('cpu', { log: () => {} });
  });

  const tiny = (extra: string[]) =>
    parseBenchArgs([
      ...'--batch 2 --seq 6 --hidden 16 --heads 2 --layers 1 --h-layers 1 --h-cycles 2 --l-cycles 2 --steps 2'.split(
        ' ',
      ),
      ...extra,
    ]) as BenchOptions;

  it.each([
    ['trm mlp train', ['--mlp-t']],
    ['trm attention eval', ['--mode', 'eval']],
    ['hrm train', ['--model', 'hrm']],
  ])('reports a %s run with no leaked tensors', async (_, extra) => {
    const o = tiny(extra);
    const r = await runBench(o);
    expect(r.backend).toBe('cpu');
    expect(r.steps).toBe(2);
    expect(r.step_ms).toHaveLength(2);
    expect(r.ms_per_step).toBeGreaterThan(0);
    expect(r.cpu_ms_per_step).toBeGreaterThan(0);
    expect(r.peak_rss_mb).toBeGreaterThan(0);
    expect(r.tensors_leaked).toBe(0);
    expect(r.config).toMatchObject({ model: o.model, mode: o.mode, ...benchConfig(o) });
  });

  it('profiles one more step by kernel when asked', async () => {
    const r = await runBench(tiny(['--mlp-t', '--profile']));
    const kernels = r.profile ?? [];
    const names = kernels.map((k) => k.kernel);
    expect(names).toContain('BatchMatMul');
    expect(kernels.every((k) => k.calls >= 1 && k.ms >= 0)).toBe(true);
    expect(kernels.map((k) => k.ms)).toEqual([...kernels.map((k) => k.ms)].sort((a, b) => b - a));
    expect(r.tensors_leaked).toBe(0);
  });
});

describe('stepFlops', () => {
  const workload = (flags: string) => parseBenchArgs(flags.split(' ')) as BenchOptions;

  it("gives the issue's counts for its two workloads", () => {
    const mlp = workload('--mlp-t --seq 81 --hidden 128 --layers 2 --h-cycles 3 --l-cycles 6');
    const att = workload('--seq 64 --hidden 128 --heads 4 --layers 2 --h-cycles 3 --l-cycles 6');
    expect(stepFlops(mlp) / 1e9).toBeCloseTo(107.0, 0);
    expect(stepFlops(att) / 1e9).toBeCloseTo(79.8, 0);
    // Forward only: 21 of the 35 net applications' worth.
    expect(stepFlops({ ...mlp, mode: 'eval' }) / stepFlops(mlp)).toBeCloseTo(21 / 35, 2);
  });

  // The count against what really runs: every matmul kernel of profiled steps on cpu
  // (forward, backward and the Q-learning target), 2·M·N·K each, read off its shapes.
  // Within 5 %: the cpu fallbacks of @rrm/layers also multiply by exact 0/±1 matrices
  // (a one-hot embedding lookup, RoPE's rotate-half), which are not model FLOPs; leaving
  // out a pass (the backward, HRM's Q-learning target) would miss by 40 % or more.
  it.each([
    ['trm mlp train', '--mlp-t'],
    ['trm attention train', ''],
    ['trm attention eval', '--mode eval'],
    ['hrm train', '--model hrm'],
    ['hrm eval', '--model hrm --mode eval'],
  ])('equals the matmul FLOPs a %s step executes', async (_, extra) => {
    await selectBackend('cpu', { log: () => {} });
    const o = workload(
      `--batch 2 --seq 6 --hidden 32 --heads 2 --layers 2 --h-layers 1 --h-cycles 2 --l-cycles 2 --steps 1 ${extra}`.trim(),
    );
    let executed = 0;
    const info = await tf.profile(async () => {
      await runBench(o);
    });
    for (const k of info.kernels) {
      if (k.name !== 'BatchMatMul' && k.name !== '_FusedMatMul') continue;
      const out = k.outputShapes[0] as number[];
      const a = k.inputShapes[0] as number[];
      const m = out[out.length - 2];
      const depth = (a[a.length - 2] * a[a.length - 1]) / m;
      executed += 2 * out.reduce((x, y) => x * y, 1) * depth;
    }
    // runBench runs a warm-up step and then the timed one: two steps.
    expect(executed / (2 * stepFlops(o))).toBeGreaterThanOrEqual(1);
    expect(executed / (2 * stepFlops(o))).toBeLessThan(1.05);
  });
});
