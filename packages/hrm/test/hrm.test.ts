import '@tensorflow/tfjs-backend-cpu';
import { type ActBatch, disposeCarry, disposeStep } from '@rrm/act';
import { expectFlatTensorCount } from '@rrm/layers';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHRM, HRM_PRESETS, hrmConfig, hrmPreset } from '../src';
import { tiny } from './tiny';

let batch: ActBatch;

beforeAll(async () => {
  await tf.setBackend('cpu');
  batch = {
    inputs: tf.tensor2d([1, 2, 3, 4, 5, 5, 4, 3, 2, 1], [2, 5], 'int32'),
    labels: tf.tensor2d([1, 2, 3, 4, 5, 5, 4, 3, -100, -100], [2, 5], 'int32'),
    puzzle_identifiers: tf.tensor1d([2, 0], 'int32'),
  };
});

afterAll(() => {
  tf.dispose([batch.inputs, batch.labels, batch.puzzle_identifiers]);
});

describe('hrmConfig', () => {
  it('names the field in every error', () => {
    const ok = { ...tiny };
    expect(() => hrmConfig({ ...ok, pos_encodings: 'alibi' })).toThrow(
      /HRM config key "pos_encodings": expected one of rope, learned, none, got "alibi"/,
    );
    expect(() => hrmConfig({ ...ok, H_layers: 0 })).toThrow(
      /key "H_layers": expected an integer >= 1, got 0/,
    );
    expect(() => hrmConfig({ ...ok, mlp_t: 1 })).toThrow(
      /HRM config key "mlp_t": expected true or false, got 1/,
    );
    expect(() => hrmPreset('v2' as 'v1', tiny)).toThrow(/HRM preset "v2" unknown/);
  });
});

describe('createHRM', () => {
  it('HRM for ARC has 27,276,290 parameters (puzzle table excluded)', () => {
    const config = hrmPreset('v1', {
      batch_size: 1,
      seq_len: 900,
      vocab_size: 12,
      num_puzzle_identifiers: 2,
    });
    expect(config.H_cycles).toBe(HRM_PRESETS.v1.H_cycles);
    const model = createHRM(config, { seed: 0 });
    expect(model.parameterCount()).toBe(27_276_290);
    // The puzzle embedding takes ceil(512 / 512) = 1 position.
    expect(model.inner.totalLen).toBe(901);
    model.dispose();
  });

  it('mixes tokens with mlp_t in both levels, in place of attention', () => {
    const model = createHRM({ ...tiny, mlp_t: true, pos_encodings: 'none' }, { seed: 3 });
    const names = model.namedParameters().map(([n]) => n);
    for (const level of ['H_level', 'L_level']) {
      expect(names).toContain(`inner.${level}.layers.0.mlp_t.gate_up_proj.weight`);
      expect(names.some((n) => n.startsWith(`inner.${level}.`) && n.includes('self_attn'))).toBe(
        false,
      );
    }
    const r = model.stepWithGrads(model.initialCarry(2), batch);
    expect(Number.isFinite(r.losses.loss)).toBe(true);
    disposeStep(r);
    disposeCarry(r.carry);
    model.dispose();
  });

  it('learns q_continue from a bootstrapped target in training only', () => {
    const model = createHRM(tiny, { seed: 1 });
    let carry = model.initialCarry(2);
    const train = model.stepWithGrads(carry, batch);
    carry = train.carry;
    const target = Array.from(train.outputs.targetQContinue!.dataSync());
    expect(target.every((t) => t > 0 && t < 1)).toBe(true);
    expect(train.losses.q_continue_loss).toBeGreaterThan(0);
    expect(train.losses.loss).toBeCloseTo(
      train.losses.lm_loss + 0.5 * (train.losses.q_halt_loss + train.losses.q_continue_loss),
      5,
    );
    disposeStep(train);
    const evalStep = model.step(carry, batch, { train: false });
    expect(evalStep.outputs.targetQContinue).toBeUndefined();
    disposeStep(evalStep);
    disposeCarry(evalStep.carry);
    model.dispose();
  });

  it('keeps live tensors flat over 50 steps in train and in eval mode', async () => {
    const model = createHRM({ ...tiny, L_cycles: 1, halt_exploration_prob: 0.3 }, { seed: 2 });
    let carry = model.initialCarry(2);
    await expectFlatTensorCount(() => {
      const r = model.stepWithGrads(carry, batch);
      carry = r.carry;
      disposeStep(r);
    }, 50);
    await expectFlatTensorCount(() => {
      const r = model.step(carry, batch, { train: false });
      carry = r.carry;
      disposeStep(r);
    }, 50);
    disposeCarry(carry);
    model.dispose();
  });
});
