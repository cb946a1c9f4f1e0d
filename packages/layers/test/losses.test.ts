import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import {
  binaryCrossEntropyWithLogits,
  softmaxCrossEntropy,
  stablemaxCrossEntropy,
  toTensor,
} from '../src/index';
import { readSafetensorsFile } from '../src/node';
import { maxAbsDiff, missing, PARITY } from './helpers';

const logits = [
  [
    [2.5, -1, 0, 0.3],
    [-3, -0.5, 4, 1],
    [0, 0, 0, 0],
  ],
  [
    [-40, 30, 1e-3, -2],
    [1, 2, 3, 4],
    [7, -7, 0.5, -0.5],
  ],
];
const labels = [
  [0, 2, -100],
  [1, -100, 3],
];

/** float64 reference: -log(f(x)_label / Σ f(x)), 0 for ignored labels. */
function reference(f: (x: number) => number): number[] {
  return logits.flatMap((row, b) =>
    row.map((x, s) => {
      const l = labels[b][s];
      if (l === -100) return 0;
      const sx = x.map(f);
      return -Math.log(sx[l] / sx.reduce((a, c) => a + c, 0));
    }),
  );
}

describe('cross-entropy losses', () => {
  test('stablemax CE matches a float64 evaluation of s(x) = 1/(1-x) | x+1, per token, 0 where ignored', () => {
    const got = stablemaxCrossEntropy(
      tf.tensor3d(logits),
      tf.tensor2d(labels, undefined, 'int32'),
      -100,
    );
    expect(got.shape).toEqual([2, 3]);
    const want = reference((x) => (x < 0 ? 1 / (1 - x) : x + 1));
    // float32 against the reference's float64: well inside the 1e-4 relative loss tolerance.
    expect(maxAbsDiff(got.dataSync(), want)).toBeLessThan(2e-6 * Math.max(...want));
    expect(got.dataSync()[2]).toBe(0);
    expect(got.dataSync()[4]).toBe(0);
  });

  test('softmax CE matches float64 and ignores -100', () => {
    const got = softmaxCrossEntropy(
      tf.tensor3d(logits),
      tf.tensor2d(labels, undefined, 'int32'),
      -100,
    );
    const want = reference(Math.exp);
    expect(maxAbsDiff(got.dataSync(), want)).toBeLessThan(1e-5);
    expect(got.dataSync()[5]).toBeCloseTo(
      -Math.log(Math.exp(-0.5) / [7, -7, 0.5, -0.5].map(Math.exp).reduce((a, b) => a + b)),
      5,
    );
  });

  test('a custom ignore index, and mismatched shapes are rejected', () => {
    const got = stablemaxCrossEntropy(tf.tensor2d([[1, 2]]), tf.tensor1d([1], 'int32'), 1);
    expect(Array.from(got.dataSync())).toEqual([0]);
    expect(() =>
      softmaxCrossEntropy(tf.tensor3d(logits), tf.tensor1d([1, 2], 'int32'), -100),
    ).toThrow('softmaxCrossEntropy: logits [2,3,4] need labels [2,3], got [2]');
  });

  test('gradients stay finite for large logits of either sign, and ignored tokens get none', () => {
    const x = tf.tensor2d([
      [1e6, -1e6, 1, 0],
      [5, 6, 7, 8],
    ]);
    const y = tf.tensor1d([1, -100], 'int32');
    const g = tf
      .grad((l: tf.Tensor) => tf.sum(stablemaxCrossEntropy(l, y, -100)))(x)
      .arraySync() as number[][];
    expect(g.flat().every(Number.isFinite)).toBe(true);
    expect(g[1]).toEqual([0, 0, 0, 0]);
  });
});

describe('binaryCrossEntropyWithLogits', () => {
  test('matches -t log σ(x) - (1-t) log(1-σ(x)) and is stable far from 0', () => {
    const xs = [-30, -2, 0, 0.5, 3, 60];
    const ts = [0, 1, 1, 0.25, 0, 1];
    const got = binaryCrossEntropyWithLogits(tf.tensor1d(xs), tf.tensor1d(ts)).dataSync();
    const want = xs.map((x, i) => {
      const logSig = -Math.log1p(Math.exp(-x));
      const log1mSig = -x - Math.log1p(Math.exp(-x));
      return -ts[i] * logSig - (1 - ts[i]) * log1mSig;
    });
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-5);
  });

  test('the gradient is σ(x) - t, also exactly at x = 0', () => {
    const xs = tf.tensor1d([0, 0, -1, 2]);
    const ts = tf.tensor1d([1, 0, 0, 1]);
    const g = tf
      .grad((x: tf.Tensor) => tf.sum(binaryCrossEntropyWithLogits(x, ts)))(xs)
      .dataSync();
    const want = [0.5 - 1, 0.5, 1 / (1 + Math.E), 1 / (1 + Math.exp(-2)) - 1];
    expect(maxAbsDiff(g, want)).toBeLessThan(1e-6);
  });
});

describe('stablemax cross-entropy against the reference losses', () => {
  // Step 1 starts from a fresh carry in both modes, so the eval file's logits_1 are the
  // logits the train file's lm_loss_1 was computed from (in float64, by PyTorch):
  // lm_loss = Σ_b Σ_s loss[b, s] / max(1, labelled tokens of b).
  const cases = [
    'trm_att_rope',
    'trm_mlp_t',
    'trm_learned',
    'trm_edge_single_cycle',
    'hrm_rope',
    'hrm_learned',
  ];
  for (const c of cases) {
    const dir = `${PARITY}/${c}`;
    test.skipIf(missing(dir))(`${c}: lm_loss_1 within 1e-6 relative (${dir})`, async () => {
      const logits = (await readSafetensorsFile(`${dir}/eval.safetensors`)).tensors.get(
        'logits_1',
      )!;
      const labels = toTensor(
        (await readSafetensorsFile(`${dir}/batch.safetensors`)).tensors.get('labels')!,
      );
      const want = (await readSafetensorsFile(`${dir}/train.safetensors`)).tensors.get('lm_loss_1')!
        .data[0];
      const perToken = stablemaxCrossEntropy(toTensor(logits), labels, -100);
      const counts = tf.maximum(tf.sum(tf.cast(tf.notEqual(labels, -100), 'float32'), -1), 1);
      const got = tf.sum(tf.div(tf.sum(perToken, -1), counts)).dataSync()[0];
      expect(Math.abs(got - want) / Math.abs(want)).toBeLessThan(1e-6);
    });
  }
});
