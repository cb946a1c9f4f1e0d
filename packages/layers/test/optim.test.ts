import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import {
  AdamATan2,
  AdamW,
  cosineSchedule,
  EMA,
  expectFlatTensorCount,
  fromTensor,
  type OptimizerState,
  readSafetensors,
  SignSGDSparse,
  toTensor,
  writeSafetensors,
} from '../src/index';
import { readSafetensorsFile } from '../src/node';
import { maxAbsDiff, missing, PARITY } from './helpers';

const fixture = `${PARITY}/optimizers.safetensors`;

describe.skipIf(missing(fixture))(`optimiser fixtures (${fixture})`, () => {
  test('AdamATan2 reproduces three reference steps within 1e-5', async () => {
    const { tensors } = await readSafetensorsFile(fixture);
    const get = (k: string) => tensors.get(`adam_atan2/${k}`)!;
    const [lr, beta1, beta2, weightDecay] = get('hparams').data;
    const p = tf.variable(toTensor(get('param_0')));
    const opt = new AdamATan2({ lr, beta1, beta2, weightDecay });
    for (let t = 1; t <= 3; t++) {
      opt.step([p], [toTensor(get(`grad_${t}`))]);
      expect(maxAbsDiff(p.dataSync(), get(`param_${t}`).data)).toBeLessThan(1e-5);
    }
    expect(opt.stepCount).toBe(3);
  });

  test('sparse SignSGD sums duplicate ids, updates only touched rows, matches within 1e-5', async () => {
    const { tensors } = await readSafetensorsFile(fixture);
    const get = (k: string) => tensors.get(`signsgd/${k}`)!;
    const [lr, wd] = get('hparams').data;
    const table = tf.variable(toTensor(get('weights_0')));
    await new SignSGDSparse().step(
      table,
      get('ids').data as Int32Array,
      toTensor(get('local_grad')),
      lr,
      wd,
    );
    expect(maxAbsDiff(table.dataSync(), get('weights_1').data)).toBeLessThan(1e-5);
    const before = get('weights_0').data;
    const untouched = [2, 4, 5]; // ids are 1, 3, 1, 0, 6, 3
    for (const r of untouched)
      expect(table.dataSync().slice(4 * r, 4 * r + 4)).toEqual(before.slice(4 * r, 4 * r + 4));
  });
});

/** torch.optim.AdamW in float64, one parameter. */
function adamwReference(
  p0: number[],
  grads: number[][],
  lr: number,
  b1: number,
  b2: number,
  wd: number,
  eps: number,
) {
  const p = [...p0];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  grads.forEach((g, k) => {
    const t = k + 1;
    for (let i = 0; i < p.length; i++) {
      p[i] *= 1 - lr * wd;
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const denom = Math.sqrt(v[i]) / Math.sqrt(1 - b2 ** t) + eps;
      p[i] -= (lr / (1 - b1 ** t)) * (m[i] / denom);
    }
  });
  return p;
}

describe('AdamW and optimiser state', () => {
  test('AdamW follows PyTorch AdamW', () => {
    const p0 = [0.5, -1, 2, 0.01];
    const grads = [
      [0.1, -0.2, 0.3, 1e-9],
      [-0.4, 0.1, 0.2, 0],
      [0.05, 0.05, -0.5, 1e-3],
    ];
    const p = tf.variable(tf.tensor1d(p0));
    const opt = new AdamW({ lr: 0.01, beta1: 0.9, beta2: 0.999, weightDecay: 0.05 });
    for (const g of grads) opt.step([p], [tf.tensor1d(g)]);
    expect(
      maxAbsDiff(p.dataSync(), adamwReference(p0, grads, 0.01, 0.9, 0.999, 0.05, 1e-8)),
    ).toBeLessThan(1e-6);
  });

  test('state exported mid-run (through safetensors) resumes bit-exactly; lr can change per step', async () => {
    const mk = () => [
      tf.variable(
        tf.tensor2d([
          [1, 2],
          [3, 4],
        ]),
      ),
      tf.variable(tf.tensor1d([-1, 0.5, 0])),
    ];
    const grads = (k: number) => [tf.fill([2, 2], Math.sin(k)), tf.tensor1d([k, -k, 0.5])];
    const a = mk();
    const optA = new AdamATan2({ lr: 0.1, weightDecay: 0.1 });
    for (let k = 0; k < 2; k++) optA.step(a, grads(k));
    const saved = await optA.getState();
    const bytes = writeSafetensors(saved.tensors);
    const restored: OptimizerState = {
      step: saved.step,
      tensors: Object.fromEntries(readSafetensors(bytes).tensors) as OptimizerState['tensors'],
    };
    const b = a.map((v) => tf.variable(v.clone()));
    const optB = new AdamATan2({ lr: 0.1, weightDecay: 0.1 });
    optB.loadState(restored, b);
    for (const opt of [optA, optB]) opt.lr = 0.02;
    for (let k = 2; k < 4; k++) {
      optA.step(a, grads(k));
      optB.step(b, grads(k));
    }
    for (const [i, v] of a.entries()) expect(b[i].dataSync()).toEqual(v.dataSync());
    expect(optB.stepCount).toBe(4);
    expect(() => new AdamW({ lr: 0.1 }).loadState(restored, [a[1], a[0]])).toThrow(
      'AdamW.loadState: tensor "exp_avg.0" has shape [2,2], parameter 0 is [3]',
    );
    expect(() => optA.step(a, [grads(0)[0]])).toThrow(
      'AdamATan2.step: 2 parameters but 1 gradients',
    );
    expect(() => new AdamATan2({ lr: -1 })).toThrow(
      'AdamATan2: lr must be a finite number >= 0, got -1',
    );
  });

  test('optimiser steps and EMA updates leak no tensors; their state is exactly their slots', async () => {
    const params = [tf.variable(tf.ones([3, 3]))];
    const opt = new AdamATan2({ lr: 0.01 });
    const start = tf.memory().numTensors;
    const ema = new EMA(params);
    opt.step(params, [tf.keep(tf.zeros([3, 3]))]);
    expect(tf.memory().numTensors - start).toBe(1 + 1 + 2); // the kept gradient, shadow, m, v
    opt.loadState(await opt.getState(), params);
    ema.loadState(await ema.getState());
    expect(tf.memory().numTensors - start).toBe(4);
    const table = tf.variable(tf.zeros([5, 3]));
    const sgd = new SignSGDSparse();
    const g = tf.ones([3, 3]);
    const lg = tf.ones([2, 3]);
    await expectFlatTensorCount(async () => {
      opt.step(params, [g]);
      ema.update();
      await sgd.step(table, new Int32Array([1, 1]), lg, 0.1, 0.1);
    }, 3);
  });
});

describe('SignSGDSparse', () => {
  test('rejects ids outside the table and a localGrad of the wrong shape', async () => {
    const table = tf.variable(tf.zeros([3, 2]));
    const sgd = new SignSGDSparse();
    await expect(sgd.step(table, new Int32Array([0, 3]), tf.zeros([2, 2]), 0.1, 0)).rejects.toThrow(
      "SignSGDSparse.step: id 3 at position 1 is outside the table's 3 rows",
    );
    await expect(sgd.step(table, new Int32Array([0]), tf.zeros([1, 3]), 0.1, 0)).rejects.toThrow(
      'localGrad [1,3] must be [1, 2]',
    );
  });

  test('leaves clones of the table alone', async () => {
    const table = tf.variable(tf.zeros([3, 2]));
    const before = table.clone();
    await new SignSGDSparse().step(table, new Int32Array([1]), tf.ones([1, 2]), 0.5, 0);
    expect(Array.from(table.dataSync())).toEqual([0, 0, -0.5, -0.5, 0, 0]);
    expect(Array.from(before.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
  });

  test('a zero summed gradient leaves the row decayed only (sign(0) = 0)', async () => {
    const table = tf.variable(tf.tensor2d([[1, 1]]));
    await new SignSGDSparse().step(
      table,
      tf.tensor1d([0, 0], 'int32'),
      tf.tensor2d([
        [1, -2],
        [-1, 3],
      ]),
      0.1,
      0.5,
    );
    expect(maxAbsDiff(table.dataSync(), [0.95, 0.95 - 0.1])).toBeLessThan(1e-7);
  });
});

describe('EMA', () => {
  test('averages with rate, swaps in for evaluation and back, and its state round-trips', async () => {
    const p = tf.variable(tf.tensor1d([0, 10]));
    const ema = new EMA([p], 0.9);
    p.assign(tf.tensor1d([1, 0]));
    ema.update(); // shadow = 0.1·p + 0.9·shadow
    p.assign(tf.tensor1d([2, 0]));
    ema.update();
    const shadow = [0.1 * 2 + 0.9 * 0.1, 0.9 * 9];
    const seen = await ema.apply(() => Array.from(p.dataSync()));
    expect(maxAbsDiff(seen, shadow)).toBeLessThan(1e-5);
    expect(Array.from(p.dataSync())).toEqual([2, 0]);
    ema.swapIn();
    expect(() => ema.update()).toThrow(/swapped in/);
    expect(() => ema.swapIn()).toThrow(/already swapped in/);
    ema.swapOut();
    const other = new EMA([p], 0.9);
    other.loadState(await ema.getState());
    other.swapIn();
    expect(maxAbsDiff(p.dataSync(), shadow)).toBeLessThan(1e-5);
    other.swapOut();
  });
});

describe('cosineSchedule', () => {
  test('warms up linearly, then follows a half cosine down to baseLr·minRatio', () => {
    const lr = cosineSchedule({ baseLr: 1e-3, warmupSteps: 10, totalSteps: 110, minRatio: 0.1 });
    expect(lr(0)).toBe(0);
    expect(lr(5)).toBeCloseTo(5e-4, 12);
    expect(lr(10)).toBeCloseTo(1e-3, 12);
    expect(lr(60)).toBeCloseTo(1e-3 * (0.1 + 0.9 * 0.5), 12);
    expect(lr(110)).toBeCloseTo(1e-4, 12);
    expect(lr(35)).toBeCloseTo(1e-3 * (0.1 + 0.45 * (1 + Math.cos(Math.PI / 4))), 12);
    expect(cosineSchedule({ baseLr: 1, warmupSteps: 0, totalSteps: 10 })(0)).toBe(1);
    expect(() =>
      cosineSchedule({ baseLr: 1, warmupSteps: 0, totalSteps: 10, minRatio: 2 }),
    ).toThrow(/invalid options/);
  });
});

describe('fromTensor', () => {
  test('copies float32 as F32 and int32 or bool as I32, and refuses other dtypes', async () => {
    const f = tf.tensor2d([1.5, -2, 0, 4], [2, 2]);
    const r = await fromTensor(f);
    expect(r).toEqual({ dtype: 'F32', shape: [2, 2], data: Float32Array.from([1.5, -2, 0, 4]) });
    (r.data as Float32Array)[0] = 9; // a copy: the tensor keeps its values
    expect(Array.from(f.dataSync())).toEqual([1.5, -2, 0, 4]);
    expect(await fromTensor(tf.tensor1d([true, false], 'bool'))).toEqual({
      dtype: 'I32',
      shape: [2],
      data: Int32Array.from([1, 0]),
    });
    expect((await fromTensor(tf.tensor1d([3, -1], 'int32'))).data).toEqual(
      Int32Array.from([3, -1]),
    );
    await expect(fromTensor(tf.tensor1d(['a'], 'string'))).rejects.toThrow(
      'fromTensor: only float32, int32 and bool tensors can be written, got string',
    );
  });
});
