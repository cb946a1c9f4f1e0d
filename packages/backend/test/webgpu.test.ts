import '@tensorflow/tfjs-backend-cpu';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type ActBatch, disposeCarry, disposeStep } from '@rrm/act';
import {
  AdamATan2,
  Attention,
  expectFlatTensorCount,
  RotaryEmbedding,
  rmsNorm,
  SwiGLU,
} from '@rrm/layers';
import { checkParity } from '@rrm/parity';
import { Rng } from '@rrm/random';
import { createTRM } from '@rrm/trm';
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

// The reference cases beside the repository; the two smallest keep CI short on a
// software adapter (all six: `pnpm parity --backend webgpu ../shared/parity/*`).
const casesDir = fileURLToPath(new URL('../../../../shared/parity', import.meta.url));
const SMALL_CASES = ['trm_edge_single_cycle', 'hrm_learned'];

describe.skipIf(noAdapter !== null)('HRM and TRM on webgpu', () => {
  test.skipIf(!existsSync(casesDir))(
    `parity with the reference on ${SMALL_CASES.join(', ')} (needs ${casesDir})`,
    async () => {
      await selectBackend('webgpu', { log: () => {}, asyncReads: true });
      for (const name of SMALL_CASES) {
        const report = await checkParity(`${casesDir}/${name}`);
        expect(report.backend).toBe('webgpu');
        expect(report.failures, name).toEqual([]);
      }
    },
  );

  /** 20 training steps of a small TRM (attention, RoPE, 2×2 cycles) from seed 3: losses. */
  async function train(backend: 'cpu' | 'webgpu'): Promise<number[]> {
    if (backend === 'cpu') await tf.setBackend('cpu');
    else await selectBackend('webgpu', { log: () => {}, asyncReads: true });
    const model = createTRM(
      {
        batch_size: 4,
        seq_len: 6,
        vocab_size: 5,
        num_puzzle_identifiers: 1,
        puzzle_emb_ndim: 0,
        H_cycles: 2,
        L_cycles: 2,
        L_layers: 1,
        hidden_size: 16,
        expansion: 2,
        num_heads: 2,
        pos_encodings: 'rope',
        halt_max_steps: 3,
        halt_exploration_prob: 0.1,
      },
      { seed: 3 },
    );
    const rng = new Rng(4);
    const tokens = (n: number) => Int32Array.from({ length: n }, () => 1 + rng.int(4));
    const batch: ActBatch = {
      inputs: tf.tensor2d(tokens(24), [4, 6], 'int32'),
      labels: tf.tensor2d(tokens(24), [4, 6], 'int32'),
      puzzle_identifiers: tf.zeros([4], 'int32'),
    };
    const opt = new AdamATan2({ lr: 3e-3, weightDecay: 0.1 });
    const losses: number[] = [];
    let carry = model.initialCarry(4);
    const step = async () => {
      const r = await model.stepWithGradsAsync(carry, batch);
      opt.step(model.parameters(), r.grads);
      losses.push(r.losses.loss);
      carry = r.carry;
      disposeStep(r);
    };
    // The first of the 20 steps (before the count) creates the optimiser's moments.
    await expectFlatTensorCount(step, 19);
    disposeCarry(carry);
    tf.dispose(Object.values(batch));
    model.dispose();
    return losses;
  }

  test('20 training steps agree with cpu (losses within 1e-4 relative), tensors flat', async () => {
    const want = await train('cpu');
    const got = await train('webgpu');
    expect(got).toHaveLength(20);
    for (const [k, w] of want.entries()) {
      expect(Math.abs(got[k] - w) / Math.abs(w), `step ${k + 1}: ${got[k]} vs ${w}`).toBeLessThan(
        1e-4,
      );
    }
  });
});

if (noAdapter !== null) {
  test.skip(`WebGPU checks need an adapter: ${noAdapter}`, () => {});
}
