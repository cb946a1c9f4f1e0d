import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The thread pool's rules (native/pool.h) in C++ (test/native/pool_test.cc), built with
// ThreadSanitizer so that a data race fails the test too.
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const cxx = process.env.CXX ?? 'g++';
const haveCxx = spawnSync(cxx, ['--version']).status === 0;
if (!haveCxx) console.warn(`skipping the C++ pool tests: no ${cxx}`);
const dir = mkdtempSync(join(tmpdir(), 'rrm-pool-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!haveCxx)('the native thread pool', () => {
  it('covers each index once, runs nested loops inline, rethrows on the caller, resizes safely', () => {
    const bin = join(dir, 'pool_test');
    const sources = [here('../native/pool.cc'), here('native/pool_test.cc')];
    const build = spawnSync(
      cxx,
      ['-std=c++17', '-O1', '-g', '-pthread', '-fsanitize=thread', ...sources, '-o', bin],
      { encoding: 'utf8' },
    );
    expect(build.status, build.stderr).toBe(0);
    const run = spawnSync(bin, {
      encoding: 'utf8',
      env: { ...process.env, TSAN_OPTIONS: 'halt_on_error=1' },
    });
    expect(run.stderr, 'ThreadSanitizer').not.toContain('WARNING: ThreadSanitizer');
    expect(run.stdout.trim()).toBe('ok');
    expect(run.status).toBe(0);
  }, 120_000);
});
