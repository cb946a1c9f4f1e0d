import '@tensorflow/tfjs-backend-cpu';
import { type ActBatch, evaluationSteps } from '@rrm/act';
import { type TensorRecord, WeightsMismatchError } from '@rrm/layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkpointTensors, createModel, modelFromWeights } from '../src';

const ARCH = {
  batch_size: 2,
  seq_len: 4,
  vocab_size: 5,
  num_puzzle_identifiers: 1,
  puzzle_emb_ndim: 0,
  H_cycles: 1,
  L_cycles: 2,
  H_layers: 1,
  L_layers: 1,
  hidden_size: 8,
  expansion: 2,
  num_heads: 2,
  pos_encodings: 'rope',
  halt_max_steps: 3,
  halt_exploration_prob: 0,
};

const batch = (): ActBatch => ({
  inputs: tf.tensor2d([1, 2, 3, 4, 4, 3, 2, 1], [2, 4], 'int32'),
  labels: tf.tensor2d([1, 2, 3, 4, 4, 3, 2, 1], [2, 4], 'int32'),
  puzzle_identifiers: tf.tensor1d([0, 0], 'int32'),
});

/** The logits of every evaluation step, read inside the loop. */
async function stepLogits(model: ReturnType<typeof createModel>): Promise<number[][]> {
  const b = batch();
  const out: number[][] = [];
  for (const { step, outputs } of evaluationSteps(model, b)) {
    expect(step).toBe(out.length + 1);
    out.push(Array.from(await outputs.logits.data()));
  }
  tf.dispose([b.inputs, b.labels, b.puzzle_identifiers]);
  return out;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('createModel and modelFromWeights', () => {
  it.each(['trm', 'hrm'] as const)(
    'build a %s, and a copy of it from its weights',
    async (kind) => {
      const a = createModel(kind, ARCH, { seed: 1 });
      expect(a.constructor.name).toBe('ActModel');
      const tensors = checkpointTensors(a) as Map<string, TensorRecord>;
      const b = modelFromWeights(kind, ARCH, tensors, { seed: 2, source: 'a.safetensors' });
      expect(await stepLogits(b)).toEqual(await stepLogits(a));
      a.dispose();
      b.dispose();
    },
  );

  it('names the field of a bad arch, and frees a model whose weights do not fit', () => {
    expect(() => createModel('trm', { ...ARCH, hidden_size: -1 }, { seed: 0 })).toThrow(
      /hidden_size/,
    );
    const wide = createModel('trm', { ...ARCH, hidden_size: 16 }, { seed: 0 });
    const tensors = checkpointTensors(wide) as Map<string, TensorRecord>;
    wide.dispose();
    const before = tf.memory().numTensors;
    expect(() => modelFromWeights('trm', ARCH, tensors, { seed: 0, source: 'w' })).toThrow(
      WeightsMismatchError,
    );
    // What a failed load leaves is what building and disposing a model leaves.
    const built = tf.memory().numTensors;
    createModel('trm', ARCH, { seed: 0 }).dispose();
    expect(tf.memory().numTensors - built).toBe(built - before);
  });
});

describe('evaluationSteps', () => {
  it('runs all halt_max_steps steps and frees each, a break included', async () => {
    const model = createModel('trm', ARCH, { seed: 3 });
    expect(await stepLogits(model)).toHaveLength(3);
    const b = batch();
    const before = tf.memory().numTensors;
    for (const { step } of evaluationSteps(model, b)) if (step === 2) break;
    for (const _ of evaluationSteps(model, b));
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
