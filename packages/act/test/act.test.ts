import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@rrm/random';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  actLoss,
  actMetricSums,
  drawMinHaltSteps,
  haltDecision,
  haltLogit,
  initialCarry,
  qContinueTarget,
  resetCarry,
  sequenceCorrectness,
} from '../src';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe('carry', () => {
  it('restarts halted sequences from H_init/L_init on the incoming data', () => {
    const carry = initialCarry(2, 3, 4, 2);
    // Sequence 0 is still running with its own latents and data; sequence 1 halted.
    carry.halted = tf.tensor1d([false, true], 'bool');
    carry.steps = tf.tensor1d([2, 5], 'int32');
    carry.zH = tf.fill([2, 4, 2], 7);
    carry.data.inputs = tf.tensor2d([9, 9, 9, 9, 9, 9], [2, 3], 'int32');
    const batch = {
      inputs: tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32'),
      labels: tf.tensor2d([1, 1, 1, 2, 2, 2], [2, 3], 'int32'),
      puzzle_identifiers: tf.tensor1d([3, 4], 'int32'),
    };
    const r = resetCarry(carry, batch, tf.tensor1d([1, 2]), tf.tensor1d([3, 4]));
    expect(values(r.steps)).toEqual([2, 0]);
    expect(values(r.data.inputs)).toEqual([9, 9, 9, 4, 5, 6]);
    expect(values(r.data.puzzle_identifiers)).toEqual([0, 4]);
    expect(values(r.zH).slice(0, 8)).toEqual(Array(8).fill(7));
    expect(values(r.zH).slice(8)).toEqual([1, 2, 1, 2, 1, 2, 1, 2]);
    expect(values(r.zL).slice(8, 10)).toEqual([3, 4]);
    expect(() =>
      resetCarry(initialCarry(3, 3, 4, 2), batch, tf.tensor1d([1, 2]), tf.tensor1d([3, 4])),
    ).toThrow(/batch has 2 sequences but the carry holds 3/);
  });
});

describe('halting', () => {
  const cfg = {
    halt_max_steps: 4,
    halt_exploration_prob: 0,
    halt_in_training: true,
    haltOnQHaltOnly: true,
  };
  const qHalt = tf.tensor1d([1, -1, 1, -1]);
  const qContinue = tf.tensor1d([0, -2, 2, 0]);

  it('evaluation halts only at halt_max_steps', () => {
    const steps = tf.tensor1d([1, 4, 3, 5], 'int32');
    expect(
      values(haltDecision(cfg, { steps, qHalt, qContinue, train: false, minHaltSteps: null })),
    ).toEqual([0, 1, 0, 1]);
  });

  it('training halts on q_halt > 0 (TRM) or q_halt > q_continue (HRM)', () => {
    const steps = tf.tensor1d([1, 1, 1, 4], 'int32');
    const trm = haltDecision(cfg, { steps, qHalt, qContinue, train: true, minHaltSteps: null });
    expect(values(trm)).toEqual([1, 0, 1, 1]);
    const hrm = haltDecision(
      { ...cfg, haltOnQHaltOnly: false },
      { steps, qHalt, qContinue, train: true, minHaltSteps: null },
    );
    expect(values(hrm)).toEqual([1, 1, 0, 1]);
    const explore = Int32Array.from([2, 0, 0, 0]);
    expect(
      values(haltDecision(cfg, { steps, qHalt, qContinue, train: true, minHaltSteps: explore })),
    ).toEqual([0, 0, 1, 1]);
    // Halting off in training: only the last step ends a sequence, whatever the head says.
    for (const haltOnQHaltOnly of [true, false]) {
      const off = { ...cfg, halt_in_training: false, haltOnQHaltOnly };
      const h = { steps, qHalt, qContinue, train: true, minHaltSteps: null };
      expect(values(haltDecision(off, h))).toEqual([0, 0, 0, 1]);
    }
  });

  it('gives the halting logit of each rule: q_halt (TRM), q_halt − q_continue (HRM)', () => {
    expect(values(haltLogit(cfg, qHalt, qContinue))).toEqual([1, -1, 1, -1]);
    expect(values(haltLogit({ haltOnQHaltOnly: false }, qHalt, qContinue))).toEqual([1, 1, -1, -1]);
  });

  it('draws exploration minimums in 2..halt_max_steps, reproducibly, only when enabled', () => {
    const rng = new Rng(5);
    const state = JSON.stringify(rng.getState());
    expect(Array.from(drawMinHaltSteps(rng, 3, cfg))).toEqual([0, 0, 0]);
    expect(JSON.stringify(rng.getState())).toBe(state);
    const draws = drawMinHaltSteps(new Rng(5), 200, { ...cfg, halt_exploration_prob: 1 });
    expect(Math.min(...draws)).toBe(2);
    expect(Math.max(...draws)).toBe(4);
    expect(
      Array.from(drawMinHaltSteps(new Rng(5), 200, { ...cfg, halt_exploration_prob: 1 })),
    ).toEqual(Array.from(draws));
    const some = drawMinHaltSteps(new Rng(6), 1000, { ...cfg, halt_exploration_prob: 0.25 });
    const explored = some.filter((v) => v > 0).length;
    expect(explored).toBeGreaterThan(180);
    expect(explored).toBeLessThan(320);
    // A single-step model has nothing to explore (and draws nothing).
    const single = new Rng(7);
    const before = JSON.stringify(single.getState());
    const none = drawMinHaltSteps(single, 4, {
      ...cfg,
      halt_max_steps: 1,
      halt_exploration_prob: 1,
    });
    expect(Array.from(none)).toEqual([0, 0, 0, 0]);
    expect(JSON.stringify(single.getState())).toBe(before);
  });

  it('bootstraps the q_continue target from the next step', () => {
    const steps = tf.tensor1d([4, 1, 2, 3], 'int32');
    const t = values(qContinueTarget(cfg, steps, qHalt, qContinue));
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
    const expected = [sigmoid(1), sigmoid(-1), sigmoid(2), sigmoid(0)];
    for (const [i, v] of expected.entries()) expect(t[i]).toBeCloseTo(v, 6);
  });
});

describe('loss head', () => {
  // Two sequences of 2 tokens over a vocabulary of 2; sequence 1 has no labelled token.
  const logits = tf.tensor3d([0, 2, 1, 0, 0, 0, 0, 0], [2, 2, 2]);
  const labels = tf.tensor2d([1, 1, -100, -100], [2, 2], 'int32');

  it('scores correctness per sequence', () => {
    expect(values(sequenceCorrectness(logits, labels))).toEqual([2, 1, 0, 0, 0, 1]);
  });

  it('divides each sequence by its labelled tokens and adds half the halting BCE', () => {
    const correctness = sequenceCorrectness(logits, labels);
    const qHalt = tf.tensor1d([0, 0]);
    const qContinue = tf.tensor1d([1, 1]);
    const l = actLoss('softmax_cross_entropy', {
      logits,
      labels,
      qHalt,
      qContinue,
      targetQContinue: tf.tensor1d([1, 0]),
      correctness,
    });
    const ce = (a: number, b: number, label: number) =>
      Math.log(Math.exp(a) + Math.exp(b)) - (label ? b : a);
    const lm = (ce(0, 2, 1) + ce(1, 0, 1)) / 2; // sequence 1 contributes 0
    const bce = (x: number, t: number) => Math.log(1 + Math.exp(x)) - x * t;
    const qh = bce(0, 0) + bce(0, 1); // not exact / "exact" with nothing to get wrong
    const qc = bce(1, 1) + bce(1, 0);
    expect(l.lmLoss.dataSync()[0]).toBeCloseTo(lm, 5);
    expect(l.qHaltLoss.dataSync()[0]).toBeCloseTo(qh, 5);
    expect(l.qContinueLoss.dataSync()[0]).toBeCloseTo(qc, 5);
    expect(l.loss.dataSync()[0]).toBeCloseTo(lm + 0.5 * (qh + qc), 5);
    const noTarget = actLoss('stablemax_cross_entropy', {
      logits,
      labels,
      qHalt,
      qContinue,
      targetQContinue: null,
      correctness,
    });
    expect(noTarget.qContinueLoss.dataSync()[0]).toBe(0);
  });

  it('sums metrics over halted sequences that have a labelled token', () => {
    const logits3 = tf.tensor3d([0, 2, 0, 2, 0, 2, 2, 0, 0, 0, 0, 0], [3, 2, 2]);
    const labels3 = tf.tensor2d([1, 1, 1, 1, -100, -100], [3, 2], 'int32');
    const correctness = sequenceCorrectness(logits3, labels3); // exact, half right, no labels
    const qHalt = tf.tensor1d([1, 1, 1]);
    const m = (halted: boolean[]) =>
      values(
        actMetricSums(
          correctness,
          qHalt,
          tf.tensor1d(halted, 'bool'),
          tf.tensor1d([3, 2, 1], 'int32'),
        ),
      );
    // count, accuracy, exact_accuracy, q_halt_accuracy, steps
    expect(m([true, true, true])).toEqual([2, 1.5, 1, 1, 5]);
    expect(m([false, true, true])).toEqual([1, 0.5, 0, 0, 2]);
  });
});
