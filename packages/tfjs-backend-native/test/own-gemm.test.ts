import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadAddon } from '../src/addon.js';

// The addon's AVX-512 GEMM runs only where OpenBLAS's kernels are narrower than the CPU, a
// choice made once per process; a child with RRM_NATIVE_GEMM=own runs the kernels through
// the backend on any AVX-512 machine.
const avx512 = loadAddon().isa === 'avx512';
if (!avx512) console.warn('skipping the own-GEMM backend test: this CPU has no AVX-512');

describe.skipIf(!avx512)('native with its own GEMM (RRM_NATIVE_GEMM=own)', () => {
  it('matches cpu on matmuls of every transpose and on attention with gradients', () => {
    const child = fileURLToPath(new URL('own-gemm-child.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=source', child], {
      encoding: 'utf8',
      env: { ...process.env, RRM_NATIVE_GEMM: 'own' },
    });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(result.gemmKernels).toBe('avx512');
    expect(result.errors.matmul).toBeLessThan(1e-5);
    expect(result.errors.attention).toBeLessThan(1e-5);
  }, 120_000);
});
