import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The block kernels (native/block.cc) size and index their scratch by hand: the whole
// addon built with AddressSanitizer runs them in a child process, so that a read or write
// past a buffer fails the test, not only a wrong value.
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const cxx = process.env.CXX ?? 'g++';
const asan = spawnSync(cxx, ['-print-file-name=libasan.so'], { encoding: 'utf8' }).stdout?.trim();
const blas = spawnSync('pkg-config', ['--cflags', '--libs', 'openblas'], { encoding: 'utf8' });
const nodeHeaders = join(process.execPath, '..', '..', 'include', 'node');
const ready =
  asan !== undefined &&
  existsSync(asan) &&
  blas.status === 0 &&
  existsSync(join(nodeHeaders, 'node_api.h'));
if (!ready) {
  console.warn(
    `skipping the AddressSanitizer block test: no ${cxx} with libasan, no OpenBLAS or no Node headers in ${nodeHeaders}`,
  );
}
const dir = mkdtempSync(join(tmpdir(), 'rrm-asan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!ready)('the block kernels under AddressSanitizer', () => {
  it('match the composed blocks, gradients included, without touching memory they do not own', () => {
    const native = here('../native');
    const sources = readdirSync(native)
      .filter((f) => f.endsWith('.cc'))
      .map((f) => join(native, f));
    const require = createRequire(import.meta.url);
    const napi = (require('node-addon-api') as { include_dir: string }).include_dir;
    mkdirSync(join(dir, 'Release'));
    const build = spawnSync(
      cxx,
      [
        '-std=c++17',
        '-O1',
        '-g',
        '-fsanitize=address',
        '-shared',
        '-fPIC',
        '-DNAPI_VERSION=8',
        '-DNAPI_CPP_EXCEPTIONS',
        `-I${napi.replace(/"/g, '')}`,
        `-I${nodeHeaders}`,
        ...sources,
        ...blas.stdout.trim().split(/\s+/),
        '-o',
        join(dir, 'Release', 'rrm_native.node'),
      ],
      { encoding: 'utf8' },
    );
    expect(build.status, build.stderr).toBe(0);
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--conditions=source', here('blocks-child.ts')],
      {
        encoding: 'utf8',
        env: {
          ...process.env,
          LD_PRELOAD: asan,
          ASAN_OPTIONS: 'detect_leaks=0',
          RRM_NATIVE_BUILD_DIR: dir,
        },
      },
    );
    expect(run.stderr, 'AddressSanitizer').not.toContain('ERROR: AddressSanitizer');
    expect(run.status, run.stderr).toBe(0);
    const { errors } = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(Object.keys(errors)).toHaveLength(4);
    for (const [name, e] of Object.entries(errors)) expect(e, name).toBeLessThan(1e-5);
  }, 300_000);
});
