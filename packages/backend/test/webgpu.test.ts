import '@tensorflow/tfjs-backend-cpu';
import { Attention, expectFlatTensorCount, RotaryEmbedding, rmsNorm, SwiGLU } from '@rrm/layers';
import { Rng } from '@rrm/random';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { selectBackend } from '../src/index';
import {
  type AdapterInfo,
  describeAdapter,
  isSoftwareAdapter,
  type ProbeResult,
  probeAdapters,
  startNodeWebGpu,
} from '../src/webgpu-node';

const info = (over: Partial<AdapterInfo>): AdapterInfo => ({
  vendor: '',
  architecture: '',
  device: '',
  description: '',
  isFallbackAdapter: false,
  ...over,
});

describe('adapter detection', () => {
  test('CPU rasterisers and fallback adapters count as software, GPUs do not', () => {
    for (const sw of [
      info({ device: 'llvmpipe-llvm-15-0-6-256-bits-' }),
      info({ description: 'llvmpipe (LLVM 15.0.6, 256 bits)', vendor: 'mesa' }),
      info({ vendor: 'google', architecture: 'swiftshader' }),
      info({ description: 'Microsoft Basic Render Driver' }),
      info({ vendor: 'nvidia', isFallbackAdapter: true }),
    ])
      expect(isSoftwareAdapter(sw)).toBe(true);
    for (const hw of [
      info({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' }),
      info({ vendor: 'apple', architecture: 'metal-3' }),
      info({ device: 'AMD Radeon RX 7900 XTX (RADV NAVI31)' }),
    ])
      expect(isSoftwareAdapter(hw)).toBe(false);
  });

  test('the name for the choice line: vendor, architecture, device, the API, software or not', () => {
    const r = { api: 'opengl', flags: [], request: {} };
    expect(
      describeAdapter({ ...r, info: info({ device: 'llvmpipe-llvm-15-0-6-256-bits-' }) }),
    ).toBe('llvmpipe-llvm-15-0-6-256-bits (opengl, software)');
    expect(
      describeAdapter({
        ...r,
        api: 'default',
        info: info({ vendor: 'nvidia', architecture: 'hopper' }),
      }),
    ).toBe('nvidia hopper (default)');
  });

  test('auto refuses a software adapter and says so; no adapter at all gives each reason', async () => {
    const attempt = { flags: [], request: {} };
    const software: ProbeResult[] = [
      { api: 'default', ...attempt, error: 'no adapter' },
      { api: 'opengl', ...attempt, info: info({ device: 'llvmpipe' }) },
    ];
    await expect(startNodeWebGpu({ hardwareOnly: true }, () => software)).rejects.toThrow(
      'only a software adapter, llvmpipe (opengl, software), which only --backend webgpu uses',
    );
    const none: ProbeResult[] = [
      { api: 'default', ...attempt, error: 'no adapter' },
      { api: 'opengl', ...attempt, error: 'EGL: no display' },
    ];
    await expect(startNodeWebGpu({ hardwareOnly: false }, () => none)).rejects.toThrow(
      'no adapter (default: no adapter, opengl: EGL: no display)',
    );
  });
});

/** The probe on this machine: an adapter (hardware or software) to test on, or why none. */
function adapterHere(): string | null {
  try {
    const found = probeAdapters().filter((r) => 'info' in r);
    return found.length > 0 ? null : 'Dawn found no adapter';
  } catch (e) {
    return (e as Error).message;
  }
}
const noAdapter = adapterHere();

const near = (got: ArrayLike<number>, want: ArrayLike<number>, what: string, tol: number) => {
  expect(got.length, what).toBe(want.length);
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  expect(
    worst / Math.max(scale, 1e-30),
    `${what}: max |Δ| ${worst}, max |ref| ${scale}`,
  ).toBeLessThan(tol);
};

/**
 * Output and gradients (input first, then the module's weights) of Σ f(x)·dy; built and
 * read on the cpu backend, then moved to webgpu (uploads only: Node reads webgpu
 * tensors asynchronously, and a move back would read synchronously).
 */
function outputAndGrads(
  f: (x: tf.Tensor) => tf.Tensor,
  x: tf.Variable,
  params: tf.Variable[],
  dy: tf.Tensor,
) {
  const { value, grads } = tf.variableGrads(
    () => tf.sum(tf.mul(f(x), dy)) as tf.Scalar,
    [x, ...params],
  );
  value.dispose();
  return [f(x), ...[x, ...params].map((v) => grads[v.name])];
}

const read = (ts: tf.Tensor[]) => Promise.all(ts.map((t) => t.data()));

describe.skipIf(noAdapter !== null)('on this machine’s WebGPU adapter', () => {
  test('selectBackend webgpu starts on it and names it', async () => {
    const lines: string[] = [];
    expect(await selectBackend('webgpu', { log: (l) => lines.push(l), asyncReads: true })).toBe(
      'webgpu',
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^backend: webgpu on adapter .+ \((default|opengl)(, software)?\)$/);
    // Started once per process: auto, asking for hardware, gets the same device or none.
    const adapter = lines[0].slice('backend: webgpu on adapter '.length);
    if (adapter.endsWith(', software)')) {
      await expect(startNodeWebGpu({ hardwareOnly: true })).rejects.toThrow(
        `only a software adapter, ${adapter}`,
      );
    } else {
      expect(await startNodeWebGpu({ hardwareOnly: true })).toBe(adapter);
    }
    const y = tf.matMul(tf.ones([3, 4]), tf.ones([4, 2]));
    expect(Array.from(await y.data())).toEqual([4, 4, 4, 4, 4, 4]);
    // A synchronous read of GPU data is a named error, not a crash inside TF.js.
    expect(() => tf.add(y, 1).dataSync()).toThrow(
      /webgpu in Node cannot read a GPU tensor synchronously/,
    );
    tf.disposeVariables();
  });

  // Each block of @rrm/layers on webgpu (its fused WGSL kernels) against the same block
  // on cpu (primitive ops), gradients included: float32 on both, summed in other orders.
  const rng = new Rng(5);
  const S = 7;
  const blocks: Array<
    [
      string,
      () => {
        m?: { parameters(): tf.Variable[] };
        f: (x: tf.Tensor) => tf.Tensor;
        shape: number[];
      },
    ]
  > = [
    ['rmsNorm', () => ({ f: (x) => rmsNorm(x), shape: [3, S, 20] })],
    [
      'SwiGLU',
      () => {
        const m = new SwiGLU(16, 2, { rng });
        return { m, f: (x) => m.apply(x), shape: [2, S, 16] };
      },
    ],
    [
      'Attention with RoPE',
      () => {
        const m = new Attention({ hiddenSize: 16, headDim: 8, numHeads: 2, rng });
        const rope = new RotaryEmbedding(8, S + 3);
        return { m, f: (x) => m.apply(x, rope), shape: [2, S, 16] };
      },
    ],
    [
      'Attention without RoPE',
      () => {
        const m = new Attention({ hiddenSize: 24, headDim: 4, numHeads: 3, rng });
        return { m, f: (x) => m.apply(x), shape: [2, S, 24] };
      },
    ],
  ];

  test.each(blocks)(
    '%s: outputs and gradients match cpu, tensors stay flat',
    async (name, make) => {
      await tf.setBackend('cpu');
      const { m, f, shape } = make();
      const params = m?.parameters() ?? [];
      const x = tf.variable(tf.randomNormal(shape, 0, 1, 'float32', 7));
      const dy = tf.randomNormal(shape, 0, 1, 'float32', 8);
      const want = await read(outputAndGrads(f, x, params, dy));
      await selectBackend('webgpu', { log: () => {}, asyncReads: true });
      const got = await read(outputAndGrads(f, x, params, dy));
      const labels = ['output', 'd/dx', ...params.map((p) => `d/d${p.name}`)];
      for (const [i, w] of want.entries()) near(got[i], w, `${name} ${labels[i]}`, 1e-5);
      await expectFlatTensorCount(async () => {
        const ts = outputAndGrads(f, x, params, dy);
        await read(ts);
        tf.dispose(ts);
      }, 2);
      tf.dispose([x, dy, ...params]);
    },
  );
});

describe.skipIf(noAdapter !== null)('large dispatches', () => {
  test('more workgroups than one dispatch dimension holds (65535) spread over x and y', async () => {
    // rmsNorm runs a workgroup per row: 66000 rows, forward and gradient, against cpu.
    await tf.setBackend('cpu');
    const x = tf.variable(tf.randomNormal([66000, 2], 0, 1, 'float32', 9));
    const dy = tf.randomNormal([66000, 2], 0, 1, 'float32', 10);
    const f = (t: tf.Tensor) => rmsNorm(t);
    const want = await read(outputAndGrads(f, x, [], dy));
    await selectBackend('webgpu', { log: () => {}, asyncReads: true });
    const got = await read(outputAndGrads(f, x, [], dy));
    for (const [i, w] of want.entries()) near(got[i], w, `rmsNorm 66000 rows output ${i}`, 1e-5);
    tf.dispose([x, dy]);
  });
});

if (noAdapter !== null) {
  test.skip(`WebGPU checks need an adapter: ${noAdapter}`, () => {});
}
