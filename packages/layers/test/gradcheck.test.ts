import { Rng } from '@rrm/random';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import {
  AdamATan2,
  Attention,
  expectFlatTensorCount,
  GridMixing,
  RotaryEmbedding,
  rmsNorm,
  SudokuMixing,
  SwiGLU,
  stablemaxCrossEntropy,
  TokenMixingMLP,
  truncNormal,
} from '../src/index';
import './helpers'; // selects the cpu backend

/**
 * Central finite differences along random unit directions, one set per variable, in float32:
 * (L(θ + h·d) − L(θ − h·d)) / 2h against ⟨∇L, d⟩. With h = 1e-2 the truncation error is
 * O(h²) and the rounding error about 1e-6·|L|/h, both far below the 1e-2 relative tolerance.
 * Returns the worst relative error over all variables and directions.
 */
function gradCheck(
  loss: () => tf.Scalar,
  vars: tf.Variable[],
  rng: Rng,
  directions = 3,
  h = 1e-2,
): number {
  const { grads } = tf.variableGrads(loss, vars);
  let worst = 0;
  for (const v of vars) {
    const g = grads[v.name];
    const base = v.clone();
    for (let k = 0; k < directions; k++) {
      const raw = truncNormal(v.shape, 1, rng);
      const d = tf.div(raw, tf.norm(raw));
      const at = (sign: number) => {
        v.assign(tf.add(base, tf.mul(d, sign * h)));
        return loss().dataSync()[0];
      };
      const fd = (at(1) - at(-1)) / (2 * h);
      const analytic = tf.sum(tf.mul(g, d)).dataSync()[0];
      worst = Math.max(
        worst,
        Math.abs(fd - analytic) /
          Math.max(Math.abs(analytic), 1e-3 * tf.norm(g).dataSync()[0], 1e-6),
      );
      tf.dispose([raw, d]);
    }
    v.assign(base);
    base.dispose();
  }
  return worst;
}

/** A fixed random projection makes every output element matter to the scalar loss. */
function projectedLoss(f: () => tf.Tensor, shape: number[], seed: number): () => tf.Scalar {
  const w = truncNormal(shape, 1, new Rng(seed));
  return () => tf.tidy(() => tf.sum(tf.mul(f(), w)));
}

const input = (shape: number[], seed: number) => tf.variable(truncNormal(shape, 1, new Rng(seed)));

describe('finite-difference gradient checks (float32, central differences)', () => {
  test('the checker catches a gradient that is off by 5%', () => {
    const x = input([4, 4], 30);
    // d(x²)/dx reported as 2.1·x instead of 2·x.
    const wrong = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [a, save] = args as [tf.Tensor, tf.GradSaveFunc];
      save([a]);
      return {
        value: tf.square(a),
        gradFunc: (dy: tf.Tensor, [s]: tf.Tensor[]) => tf.mul(dy, tf.mul(s, 2.1)),
      };
    });
    const loss = projectedLoss(() => wrong(x), [4, 4], 31);
    expect(gradCheck(loss, [x], new Rng(32))).toBeGreaterThan(0.03);
  });

  test('rmsNorm', () => {
    const x = input([2, 3, 8], 1);
    const err = gradCheck(
      projectedLoss(() => rmsNorm(x), [2, 3, 8], 2),
      [x],
      new Rng(3),
      6,
    );
    expect(err).toBeLessThan(1e-2);
  });

  test('SwiGLU (input and both projections)', () => {
    const m = new SwiGLU(8, 2, { rng: new Rng(4) });
    const x = input([2, 3, 8], 5);
    const err = gradCheck(
      projectedLoss(() => m.apply(x), [2, 3, 8], 6),
      [x, ...m.parameters()],
      new Rng(7),
    );
    expect(err).toBeLessThan(1e-2);
  });

  test('attention with RoPE (input, qkv_proj, o_proj)', () => {
    const att = new Attention({ hiddenSize: 8, headDim: 4, numHeads: 2, rng: new Rng(8) });
    const rope = new RotaryEmbedding(4, 5);
    const x = input([2, 5, 8], 9);
    const err = gradCheck(
      projectedLoss(() => att.apply(x, rope), [2, 5, 8], 10),
      [x, ...att.parameters()],
      new Rng(11),
    );
    expect(err).toBeLessThan(1e-2);
  });

  test('token-mixing MLP with its sequence-axis post-norm', () => {
    const m = new TokenMixingMLP(6, 2, { rng: new Rng(12) });
    const x = input([2, 6, 4], 13);
    const err = gradCheck(
      projectedLoss(() => m.mix(x), [2, 6, 4], 14),
      [x, ...m.parameters()],
      new Rng(15),
    );
    expect(err).toBeLessThan(1e-2);
  });

  test('grid mixing (input and projection, through the gather of neighbours)', () => {
    const m = new GridMixing(4, 3, 1, { rng: new Rng(40) });
    const x = input([2, 10, 4], 41);
    const err = gradCheck(
      projectedLoss(() => m.mix(x), [2, 10, 4], 42),
      [x, ...m.parameters()],
      new Rng(43),
    );
    expect(err).toBeLessThan(1e-2);
  });

  test('Sudoku mixing (input and projection, through the group-mean table)', () => {
    const m = new SudokuMixing(4, 2, 2, 1, { rng: new Rng(44) });
    const x = input([2, 17, 4], 45);
    const err = gradCheck(
      projectedLoss(() => m.mix(x), [2, 17, 4], 46),
      [x, ...m.parameters()],
      new Rng(47),
    );
    expect(err).toBeLessThan(1e-2);
  });

  test('stablemax cross-entropy, with an ignored token, logits of both signs', () => {
    const logits = input([2, 3, 5], 16);
    const labels = tf.tensor2d(
      [
        [0, 4, -100],
        [2, 1, 3],
      ],
      [2, 3],
      'int32',
    );
    const loss = () => tf.sum(stablemaxCrossEntropy(logits, labels, -100)) as tf.Scalar;
    expect(gradCheck(loss, [logits], new Rng(17), 6)).toBeLessThan(1e-2);
  });

  test('stablemax cross-entropy gradient equals the closed form, also at x = 0', () => {
    const xs = [-2, 0, 0.5, 3];
    const label = 1;
    const s = (x: number) => (x < 0 ? 1 / (1 - x) : x + 1);
    const ds = (x: number) => (x < 0 ? 1 / (1 - x) ** 2 : 1);
    const total = xs.map(s).reduce((a, b) => a + b);
    const want = xs.map((x, j) => ds(x) / total - (j === label ? ds(x) / s(x) : 0));
    const g = tf.grad((l: tf.Tensor) =>
      tf.sum(stablemaxCrossEntropy(l, tf.tensor1d([label], 'int32'), -100)),
    )(tf.tensor2d([xs]));
    const got = g.dataSync();
    for (let j = 0; j < xs.length; j++) expect(got[j]).toBeCloseTo(want[j], 6);
  });
});

test('a training step (forward, gradients, AdamATan2) keeps the live tensor count flat', async () => {
  const att = new Attention({ hiddenSize: 8, headDim: 4, numHeads: 2, rng: new Rng(20) });
  const mlp = new SwiGLU(8, 2, { rng: new Rng(21) });
  const rope = new RotaryEmbedding(4, 5);
  const params = [...att.parameters(), ...mlp.parameters()];
  const opt = new AdamATan2({ lr: 1e-3, weightDecay: 0.1 });
  const x = truncNormal([2, 5, 8], 1, new Rng(22));
  const labels = tf.tensor2d(
    [
      [0, 1, 2, 3, -100],
      [7, 6, 5, 4, 3],
    ],
    [2, 5],
    'int32',
  );
  const step = () => {
    const { value, grads } = tf.variableGrads(
      () =>
        tf.mean(stablemaxCrossEntropy(mlp.apply(att.apply(x, rope)), labels, -100)) as tf.Scalar,
      params,
    );
    opt.step(
      params,
      params.map((p) => grads[p.name]),
    );
    tf.dispose([value, ...Object.values(grads)]);
  };
  await expectFlatTensorCount(step, 3);
});
