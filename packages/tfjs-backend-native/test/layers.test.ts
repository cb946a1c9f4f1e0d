// @rrm/layers picks up the fused SwiGLU, RMS norm and attention kernels when the active backend has them.
import '@tensorflow/tfjs-backend-cpu';
import {
  Attention,
  fusedAttentionBlock,
  fusedMlpBlock,
  noGrad,
  postNorm,
  RotaryEmbedding,
  SwiGLU,
  TokenMixingMLP,
} from '@rrm/layers';
import { Rng } from '@rrm/random';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, test } from 'vitest';
import {
  ATTENTION,
  ATTENTION_BLOCK,
  ATTENTION_BLOCK_GRAD,
  ATTENTION_GRAD,
  MLP_BLOCK,
  MLP_BLOCK_GRAD,
  RMS_NORM,
  registerNativeBackend,
  SWIGLU,
} from '../src/index.js';

registerNativeBackend();

/**
 * The value and gradients of `loss` (with respect to the trainable variables it reads),
 * and how often it ran each kernel.
 */
async function profiledGrads(loss: () => tf.Scalar) {
  const profile = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(loss);
    const out = [value, ...Object.values(grads)].map((g) => g.dataSync().slice());
    value.dispose();
    tf.dispose(grads);
    return out;
  });
  return {
    values: profile.result as unknown as Float32Array[],
    calls: (name: string) => profile.kernels.filter((k) => k.name === name).length,
  };
}

/**
 * A smooth input of `shape` and the weights of a weighted-sum loss over an output of the
 * same shape (the plain sum of squares of a normalised output is constant in x).
 */
function inputAndWeights(shape: [number, number, number], name: string) {
  const xs = Float32Array.from({ length: shape[0] * shape[1] * shape[2] }, (_, i) =>
    Math.sin(i * 0.29),
  );
  const x = tf.variable(tf.tensor3d(xs, shape), true, name);
  const w = tf.tensor3d(
    xs.map((v, i) => Math.cos(i * 0.13) - v),
    shape,
  );
  return { x, w };
}

/** Output and input/weight gradients of a post-norm SwiGLU block on one backend. */
async function run(backend: string) {
  await tf.setBackend(backend);
  const mlp = new SwiGLU(24, 4, { rng: new Rng(3) });
  const { x, w } = inputAndWeights([2, 5, 24], `mlp-x-${backend}`);
  const r = await profiledGrads(() =>
    tf.sum(
      tf.mul(
        postNorm(x, (h) => mlp.apply(h)),
        w,
      ),
    ),
  );
  tf.dispose([x, w]);
  mlp.dispose();
  return { values: r.values, swiglu: r.calls(SWIGLU), rmsNorm: r.calls(RMS_NORM) };
}

/** Largest difference of each of `got` from `want`, relative to the largest value of `want`. */
function expectClose(got: Float32Array[], want: Float32Array[]) {
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => {
    const ref = want[i];
    const scale = Math.max(...ref.map(Math.abs));
    const err = Math.max(...v.map((a, j) => Math.abs(a - ref[j])));
    expect(err).toBeLessThan(1e-5 * scale + 1e-6);
  });
}

let blockVariables = 0; // variable names must be unique

/**
 * The value and gradients (the input, then each weight) of a weighted sum of a block's
 * output on one backend, and whether the tensor count stayed flat.
 */
async function blockGrads<P extends { h: tf.Tensor; dispose(): void }>(
  backend: string,
  parts: () => P,
  block: (p: P, x: tf.Tensor) => tf.Tensor,
) {
  await tf.setBackend(backend);
  const p = parts();
  const w = tf.tensor(
    Float32Array.from({ length: p.h.size }, (_, i) => Math.sin(i * 0.17)),
    p.h.shape,
  );
  const x = tf.variable(p.h, true, `block-h-${backend}-${blockVariables++}`);
  const before = tf.memory().numTensors;
  const r = await profiledGrads(() => tf.sum(tf.mul(block(p, x), w)));
  const flat = tf.memory().numTensors === before;
  tf.dispose([w, x]);
  p.dispose();
  return { ...r, flat };
}

/**
 * The loss, a sum over the output with cancelling signs, agrees to float32 rounding of
 * its terms; the gradients (the input, then the four weights) element by element.
 */
function expectSameGrads(
  native: Awaited<ReturnType<typeof blockGrads>>,
  cpu: Awaited<ReturnType<typeof blockGrads>>,
) {
  expect(native.values.length).toBe(6);
  expect(native.values[0][0]).toBeCloseTo(cpu.values[0][0], 4);
  expectClose(native.values.slice(1), cpu.values.slice(1));
  expect(native.flat).toBe(true);
}

/** Output, input and weight gradients of an Attention layer (with or without RoPE) on one backend. */
async function runAttention(backend: string, rope: boolean) {
  await tf.setBackend(backend);
  const attn = new Attention({ hiddenSize: 32, headDim: 8, numHeads: 3, rng: new Rng(5) });
  const tables = rope ? new RotaryEmbedding(8, 12) : undefined;
  const { x, w } = inputAndWeights([2, 11, 32], `attn-x-${backend}${rope}`);
  const r = await profiledGrads(() => tf.sum(tf.mul(attn.apply(x, tables), w)));
  tf.dispose([x, w]);
  tables?.dispose();
  attn.dispose();
  return { values: r.values, calls: [r.calls(ATTENTION), r.calls(ATTENTION_GRAD)] };
}

describe('fused kernels through @rrm/layers', () => {
  afterAll(() => tf.setBackend('cpu'));
  test('native runs the fused kernel and matches the composed cpu ops, gradients included', async () => {
    const cpu = await run('cpu');
    const native = await run('native');
    expect([cpu.swiglu, cpu.rmsNorm]).toEqual([0, 0]);
    expect([native.swiglu, native.rmsNorm]).toEqual([1, 1]);
    expectClose(native.values, cpu.values);
  });

  test.each([true, false])(
    'Attention (RoPE %s) runs the fused kernel on native and matches cpu',
    async (rope) => {
      const cpu = await runAttention('cpu', rope);
      const native = await runAttention('native', rope);
      expect(cpu.calls).toEqual([0, 0]);
      expect(native.calls).toEqual([1, 1]);
      // value, x, qkv_proj.weight, o_proj.weight
      expect(native.values.length).toBe(4);
      expectClose(native.values, cpu.values);
    },
  );
});

/** A TRM-MLP block's weights ([B, S, D] input of S = 7, D = 12) and an input. */
function mlpBlockParts(B: number) {
  const mlpT = new TokenMixingMLP(7, 4, { rng: new Rng(11) });
  const mlp = new SwiGLU(12, 4, { rng: new Rng(12) });
  const h = tf.tensor3d(
    Float32Array.from({ length: B * 7 * 12 }, (_, i) => Math.sin(i * 0.37) * 2),
    [B, 7, 12],
  );
  const composed = (x: tf.Tensor = h) => postNorm(mlpT.mix(x), (y) => mlp.apply(y));
  const dispose = () => {
    tf.dispose(h);
    mlpT.dispose();
    mlp.dispose();
  };
  return { mlpT, mlp, h, composed, dispose };
}

describe(`${MLP_BLOCK}: a TRM-MLP block in one kernel`, () => {
  afterAll(() => tf.setBackend('cpu'));

  test.each([1, 3])('matches the composed block on cpu (batch %i), tensors flat', async (B) => {
    await tf.setBackend('cpu');
    const cpu = mlpBlockParts(B);
    expect(fusedMlpBlock(cpu.h, cpu.mlpT, cpu.mlp, 1e-5)).toBeNull();
    const wanted = tf.tidy(() => cpu.composed());
    const want = Float32Array.from(wanted.dataSync());
    wanted.dispose();
    cpu.dispose();
    await tf.setBackend('native');
    const native = mlpBlockParts(B);
    const before = tf.memory().numTensors;
    const profile = await tf.profile(() =>
      tf.tidy(() => noGrad(() => fusedMlpBlock(native.h, native.mlpT, native.mlp, 1e-5)!)),
    );
    const got = profile.result as tf.Tensor;
    expect(profile.kernels.filter((k) => k.name === MLP_BLOCK).length).toBe(1);
    expect(got.shape).toEqual([B, 7, 12]);
    expectClose([Float32Array.from(got.dataSync())], [want]);
    got.dispose();
    expect(tf.memory().numTensors).toBe(before);
    native.dispose();
  });

  test('with a tape, its gradient kernel matches the composed block on cpu, weights included', async () => {
    const parts = () => mlpBlockParts(3);
    const cpu = await blockGrads('cpu', parts, (p, x) => p.composed(x));
    const native = await blockGrads(
      'native',
      parts,
      (p, x) => fusedMlpBlock(x, p.mlpT, p.mlp, 1e-5)!,
    );
    expect([native.calls(MLP_BLOCK), native.calls(MLP_BLOCK_GRAD)]).toEqual([1, 1]);
    expectSameGrads(native, cpu);
  });

  test('names the kernel and the shapes it got when a weight or an activation does not fit h', async () => {
    await tf.setBackend('native');
    const { h, mlpT, mlp, dispose } = mlpBlockParts(1);
    const wrong = tf.zeros([4, 12]);
    expect(() =>
      tf.engine().runKernel(
        MLP_BLOCK,
        {
          h,
          tokenGateUp: mlpT.gateUp.weight,
          tokenDown: mlpT.down.weight,
          gateUp: wrong,
          down: mlp.down.weight,
        },
        { eps: 1e-5 },
      ),
    ).toThrow(/RrmMlpBlock: h must be \[B, S, D\].*got \[1,7,12\], .*\[4,12\]/);
    const weights = {
      tokenGateUp: mlpT.gateUp.weight,
      tokenDown: mlpT.down.weight,
      gateUp: mlp.gateUp.weight,
      down: mlp.down.weight,
    };
    const [y, tokenProj, tokenSum, proj, sum] = tf
      .engine()
      .runKernel(MLP_BLOCK, { h, ...weights }, { eps: 1e-5, train: true }) as tf.Tensor[];
    expect(() =>
      tf
        .engine()
        .runKernel(
          MLP_BLOCK_GRAD,
          { dy: h, h, ...weights, tokenProj: tokenSum, tokenSum, proj, sum },
          { eps: 1e-5 },
        ),
    ).toThrow(`${MLP_BLOCK_GRAD}: tokenProj must be [${tokenProj.shape}], got [1,7,12]`);
    tf.dispose([wrong, y, tokenProj, tokenSum, proj, sum]);
    dispose();
  });
});

/** An attention block's layers (D 24, 3 heads of 8), an input [B, 11, 24] and optional RoPE. */
function attentionBlockParts(B: number, rope: boolean) {
  const attn = new Attention({ hiddenSize: 24, headDim: 8, numHeads: 3, rng: new Rng(21) });
  const mlp = new SwiGLU(24, 4, { rng: new Rng(22) });
  const tables = rope ? new RotaryEmbedding(8, 16) : null;
  const h = tf.tensor3d(
    Float32Array.from({ length: B * 11 * 24 }, (_, i) => Math.cos(i * 0.23) * 1.5),
    [B, 11, 24],
  );
  const composed = (input: tf.Tensor = h) =>
    postNorm(
      postNorm(input, (x) => attn.apply(x, tables ?? undefined)),
      (x) => mlp.apply(x),
    );
  const dispose = () => {
    tf.dispose(h);
    tables?.dispose();
    attn.dispose();
    mlp.dispose();
  };
  return { attn, mlp, tables, h, composed, dispose };
}

describe(`${ATTENTION_BLOCK}: an attention block in one kernel`, () => {
  afterAll(() => tf.setBackend('cpu'));

  test.each([
    [1, true],
    [3, false],
  ])('matches the composed block on cpu (batch %i, RoPE %s), tensors flat', async (B, rope) => {
    await tf.setBackend('cpu');
    const cpu = attentionBlockParts(B, rope);
    expect(fusedAttentionBlock(cpu.h, cpu.attn, cpu.mlp, cpu.tables, 1e-5)).toBeNull();
    const wanted = tf.tidy(() => cpu.composed());
    const want = Float32Array.from(wanted.dataSync());
    wanted.dispose();
    cpu.dispose();
    await tf.setBackend('native');
    const native = attentionBlockParts(B, rope);
    const before = tf.memory().numTensors;
    const profile = await tf.profile(() =>
      tf.tidy(() =>
        noGrad(() => fusedAttentionBlock(native.h, native.attn, native.mlp, native.tables, 1e-5)!),
      ),
    );
    const got = profile.result as tf.Tensor;
    expect(profile.kernels.filter((k) => k.name === ATTENTION_BLOCK).length).toBe(1);
    expect(got.shape).toEqual([B, 11, 24]);
    expectClose([Float32Array.from(got.dataSync())], [want]);
    got.dispose();
    expect(tf.memory().numTensors).toBe(before);
    native.dispose();
  });

  test.each([true, false])(
    'with a tape (RoPE %s), its gradient kernel matches the composed block on cpu',
    async (rope) => {
      const parts = () => attentionBlockParts(2, rope);
      const cpu = await blockGrads('cpu', parts, (p, x) => p.composed(x));
      const native = await blockGrads(
        'native',
        parts,
        (p, x) => fusedAttentionBlock(x, p.attn, p.mlp, p.tables, 1e-5)!,
      );
      expect([native.calls(ATTENTION_BLOCK), native.calls(ATTENTION_BLOCK_GRAD)]).toEqual([1, 1]);
      expectSameGrads(native, cpu);
    },
  );

  test('names the kernel and the shapes it got when a weight does not fit', async () => {
    await tf.setBackend('native');
    const { h, attn, mlp, dispose } = attentionBlockParts(1, false);
    const empty = tf.zeros([0]);
    const inputs = {
      h,
      qkvProj: attn.qkv.weight,
      oProj: mlp.down.weight,
      cos: empty,
      sin: empty,
      gateUp: mlp.gateUp.weight,
      down: mlp.down.weight,
    };
    expect(() =>
      tf.engine().runKernel(ATTENTION_BLOCK, inputs, { numHeads: 3, eps: 1e-5 }),
    ).toThrow(
      /RrmAttentionBlock: h must be \[B, S, D\].*numHeads 3, got \[1,11,24\], \[72,24\], \[24,256\]/,
    );
    empty.dispose();
    dispose();
  });
});
