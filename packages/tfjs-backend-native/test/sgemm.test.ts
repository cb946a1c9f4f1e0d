import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAddon } from '../src/addon.js';

// The AVX-512 GEMM (native/sgemm.cc) in C++ (test/native/sgemm_test.cc), built with
// AddressSanitizer so that a read or write past a panel fails the test too.
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const cxx = process.env.CXX ?? 'g++';
const haveCxx = spawnSync(cxx, ['--version']).status === 0;
const avx512 = loadAddon().isa === 'avx512';
if (!haveCxx) console.warn(`skipping the C++ GEMM tests: no ${cxx}`);
if (!avx512) console.warn('skipping the C++ GEMM tests: this CPU has no AVX-512');
const dir = mkdtempSync(join(tmpdir(), 'rrm-sgemm-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!haveCxx || !avx512)('the AVX-512 GEMM', () => {
  it('equals the exact product at every block edge, transposed or not, and repeats its bits', () => {
    const bin = join(dir, 'sgemm_test');
    const sources = [here('../native/sgemm.cc'), here('native/sgemm_test.cc')];
    const build = spawnSync(
      cxx,
      ['-std=c++17', '-O1', '-g', '-fsanitize=address,undefined', ...sources, '-o', bin],
      { encoding: 'utf8' },
    );
    expect(build.status, build.stderr).toBe(0);
    const run = spawnSync(bin, { encoding: 'utf8' });
    expect(run.stderr, 'AddressSanitizer').not.toContain('ERROR: AddressSanitizer');
    expect(run.stdout.trim()).toBe('ok');
    expect(run.status).toBe(0);
  }, 120_000);
});
