import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { tfjsNodeAddonProblem } from '../src/node';

const NATIVE = '@rrm/tfjs-backend-native';

const WEBGPU = '../src/webgpu-node';
const noGpu = {
  startNodeWebGpu: async () => {
    throw new Error('no adapter (a stand-in)');
  },
};

/**
 * Fresh copies of the package with the native backend package replaced by `mock`, and
 * Node's WebGPU start by `gpu` (by default one that finds no adapter, so that these
 * tests choose the same on machines with a GPU; webgpu.test.ts tests the real one).
 */
async function load(
  mock?: { registerNativeBackend: () => void },
  gpu: { startNodeWebGpu: (o: { hardwareOnly: boolean }) => Promise<string> } = noGpu,
) {
  vi.resetModules();
  if (mock) vi.doMock(NATIVE, () => ({ blasNotice: () => null, ...mock }));
  else vi.doUnmock(NATIVE);
  vi.doMock(WEBGPU, () => gpu);
  return import('../src/index');
}

const noNative = {
  registerNativeBackend: () => {
    throw new Error('no BLAS here');
  },
};

describe('parseBackendName', () => {
  test('accepts the known names (any case, default auto) and names the field in errors', async () => {
    const { parseBackendName, BACKEND_NAMES } = await load();
    for (const n of BACKEND_NAMES) expect(parseBackendName(n)).toBe(n);
    expect(parseBackendName(' WASM ')).toBe('wasm');
    expect(parseBackendName(undefined)).toBe('auto');
    expect(() => parseBackendName('gpu', 'config.backend')).toThrow(
      'config.backend: unknown backend "gpu" (expected one of auto, tensorflow, native, wasm, cpu, webgl, webgpu)',
    );
  });
});

describe('selectBackend in Node', () => {
  let lines: string[];
  const log = (l: string) => lines.push(l);
  beforeEach(() => {
    lines = [];
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const tfjsNodeMissing = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'].every(
    (p) => tfjsNodeAddonProblem(p) !== null,
  );

  test.skipIf(!tfjsNodeMissing)(
    'auto skips tfjs-node(-gpu) and a failing native backend with reasons, lands on wasm, in one line',
    async () => {
      const { selectBackend } = await load(noNative);
      const warn = vi.spyOn(console, 'warn');
      const chosen = await selectBackend('auto', { log, asyncReads: true });
      expect(chosen).toBe('wasm');
      expect(tf.getBackend()).toBe('wasm');
      expect(Array.from(tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).dataSync())).toEqual([
        3, 3, 3, 3,
      ]);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^backend: wasm \(skipped /);
      // Either not installed (the default: an optional peer) or installed without its addon;
      // both say how to add it.
      for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
        expect(lines[0]).toMatch(
          new RegExp(
            `${pkg}: not available: (not installed \\(to use it: npm install ${pkg},|native addon .* npm rebuild ${pkg} runs it\\))`,
          ),
        );
      }
      expect(lines[0]).toContain('webgpu: not available: no adapter (a stand-in)');
      expect(lines[0]).toContain('native: not available: no BLAS here');
      expect(warn).not.toHaveBeenCalled(); // no half-loaded tfjs-node kernel warnings
    },
  );

  test.skipIf(!tfjsNodeMissing)('auto prefers native over wasm when it registers', async () => {
    const { selectBackend } = await load({
      registerNativeBackend: () => {
        // A stand-in: a second cpu backend instance registered under the name 'native'.
        if (!tf.findBackendFactory('native'))
          tf.registerBackend('native', () => new MathBackendCPU(), 0);
      },
    });
    expect(await selectBackend('auto', { log })).toBe('native');
    expect(lines[0]).toMatch(
      /^backend: native \(skipped @tensorflow\/tfjs-node-gpu: .*; webgpu: not available: [^;]*; @tensorflow\/tfjs-node: [^;]*\)$/,
    );
    tf.removeBackend('native');
  });

  test.skipIf(!tfjsNodeMissing)(
    'auto takes webgpu on a hardware adapter before the CPU backends, and names the adapter',
    async () => {
      const asked: boolean[] = [];
      const { selectBackend } = await load(noNative, {
        startNodeWebGpu: async ({ hardwareOnly }) => {
          asked.push(hardwareOnly);
          // A stand-in: a cpu backend instance registered under the name 'webgpu'.
          if (!tf.findBackendFactory('webgpu'))
            tf.registerBackend('webgpu', () => new MathBackendCPU(), 0);
          return 'nvidia hopper (default)';
        },
      });
      expect(await selectBackend('auto', { log, asyncReads: true })).toBe('webgpu');
      expect(await selectBackend('webgpu', { log, asyncReads: true })).toBe('webgpu');
      expect(asked).toEqual([true, false]); // auto refuses software adapters; webgpu does not
      expect(lines[0]).toMatch(
        /^backend: webgpu on adapter nvidia hopper \(default\) \(skipped @tensorflow\/tfjs-node-gpu: [^;]*\)$/,
      );
      expect(lines[1]).toBe('backend: webgpu on adapter nvidia hopper (default)');

      // A caller that reads synchronously never gets it: auto skips it, a request fails.
      lines = [];
      expect(await selectBackend('auto', { log })).toBe('wasm');
      expect(lines[0]).toContain(
        'webgpu: not available: this program reads tensors synchronously (dataSync), which webgpu in Node cannot',
      );
      await expect(selectBackend('webgpu', { log })).rejects.toThrow(
        'backend "webgpu" cannot be used: webgpu: not available: this program reads tensors synchronously',
      );
      expect(asked).toHaveLength(2); // not even probed
      tf.removeBackend('webgpu');
    },
  );

  test('named backends: cpu and wasm start, and the line names no skips', async () => {
    const { selectBackend } = await load(noNative);
    expect(await selectBackend('cpu', { log })).toBe('cpu');
    expect(await selectBackend('wasm', { log })).toBe('wasm');
    expect(lines).toEqual(['backend: cpu', 'backend: wasm']);
  });

  test('a named backend that cannot start is an error saying why', async () => {
    const { selectBackend } = await load(noNative);
    await expect(selectBackend('native', { log })).rejects.toThrow(
      'backend "native" cannot be used: native: not available: no BLAS here',
    );
    await expect(selectBackend('webgl', { log })).rejects.toThrow(
      'webgl: not available: only available in a browser',
    );
    await expect(selectBackend('webgpu', { log, asyncReads: true })).rejects.toThrow(
      'backend "webgpu" cannot be used: webgpu: not available: no adapter (a stand-in)',
    );
    if (tfjsNodeMissing) {
      await expect(selectBackend('tensorflow', { log })).rejects.toThrow(
        /backend "tensorflow" cannot be used: @tensorflow\/tfjs-node-gpu: not available: .*; @tensorflow\/tfjs-node: not available: /,
      );
    }
    expect(lines).toEqual([]);
  });

  test('a backend whose factory throws is skipped as failing to initialise, with the reason TF.js gives', async () => {
    const { selectBackend } = await load({
      registerNativeBackend: () => {
        if (!tf.findBackendFactory('native')) {
          tf.registerBackend('native', () => {
            throw new Error('device lost');
          });
        }
      },
    });
    const warn = vi.spyOn(console, 'warn');
    await expect(selectBackend('native', { log })).rejects.toThrow(
      /^backend "native" cannot be used: native: failed to initialise: .*device lost/,
    );
    expect(warn).not.toHaveBeenCalled();
    tf.removeBackend('native');
  });

  test('the real native package is either used or skipped with its own reason, never a crash', async () => {
    const { selectBackend } = await load();
    try {
      expect(await selectBackend('native', { log })).toBe('native');
      // Plain, or with the note that OpenBLAS runs narrower kernels than the CPU has.
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^backend: native( on OpenBLAS's \w+ kernels on an AVX-512 CPU.*)?$/,
      );
    } catch (e) {
      expect((e as Error).message).toMatch(
        /^backend "native" cannot be used: native: (not available|failed to initialise)/,
      );
    }
  });
});
