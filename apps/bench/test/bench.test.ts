import { selectBackend } from '@rrm/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BenchOptions, parseBenchArgs } from '../src/args';
import { benchConfig, runBench } from '../src/bench';

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
    });
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
