import '@tensorflow/tfjs-backend-cpu';
import {
  type ActBatch,
  disposeCarry,
  disposeStep,
  loadCheckpoint,
  REFERENCE_PREFIX,
  saveCheckpoint,
} from '@rrm/act';
import { readSafetensors, type WritableTensor, writeSafetensors } from '@rrm/layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTRM, type TRM } from '../src';

const tiny = {
  batch_size: 2,
  seq_len: 4,
  vocab_size: 5,
  num_puzzle_identifiers: 3,
  puzzle_emb_ndim: 8,
  puzzle_emb_len: 1,
  H_cycles: 2,
  L_cycles: 1,
  L_layers: 1,
  hidden_size: 8,
  expansion: 2,
  num_heads: 2,
  pos_encodings: 'learned',
  halt_max_steps: 2,
  halt_exploration_prob: 0,
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function evalLogits(model: TRM): Float32Array {
  const batch: ActBatch = {
    inputs: tf.tensor2d([1, 2, 3, 4, 4, 3, 2, 1], [2, 4], 'int32'),
    labels: tf.tensor2d([1, 2, 3, 4, 4, 3, 2, 1], [2, 4], 'int32'),
    puzzle_identifiers: tf.tensor1d([2, 1], 'int32'),
  };
  const r = model.step(model.initialCarry(2), batch, { train: false });
  const out = r.outputs.logits.dataSync() as Float32Array;
  disposeStep(r);
  disposeCarry(r.carry);
  tf.dispose([batch.inputs, batch.labels, batch.puzzle_identifiers]);
  return out;
}

/** A trained-looking model: a non-zero puzzle table and q head. */
function model(seed: number): TRM {
  const m = createTRM(tiny, { seed });
  const named = m.stateDict();
  named.get('inner.puzzle_emb.weights')!.assign(tf.randomNormal([3, 8], 0, 1, 'float32', seed));
  named.get('inner.q_head.weight')!.assign(tf.randomNormal([2, 8], 0, 1, 'float32', seed));
  return m;
}

describe('checkpoints', () => {
  it('save then load gives identical outputs, under the reference names', () => {
    const a = model(1);
    const b = model(2);
    expect(evalLogits(b)).not.toEqual(evalLogits(a));
    const bytes = saveCheckpoint(a);
    const names = [...readSafetensors(bytes).tensors.keys()];
    expect(names).toContain(`${REFERENCE_PREFIX}inner.L_level.layers.0.self_attn.qkv_proj.weight`);
    expect(names).toContain(`${REFERENCE_PREFIX}inner.H_init`);
    expect(names).toContain(`${REFERENCE_PREFIX}inner.puzzle_emb.weights`);
    loadCheckpoint(b, bytes);
    expect(evalLogits(b)).toEqual(evalLogits(a));
    a.dispose();
    b.dispose();
  });

  it('loads a checkpoint without the _orig_mod.model. prefix', () => {
    const a = model(1);
    const b = model(2);
    loadCheckpoint(b, saveCheckpoint(a, { prefix: '' }));
    expect(evalLogits(b)).toEqual(evalLogits(a));
    a.dispose();
    b.dispose();
  });

  it('lists missing, unexpected and mis-shaped tensors in one error, changing nothing', () => {
    const a = model(1);
    const file = readSafetensors(saveCheckpoint(a));
    const t: Record<string, WritableTensor> = Object.fromEntries(
      [...file.tensors].map(([k, v]) => [k, { dtype: 'F32', shape: v.shape, data: v.data }]),
    );
    delete t[`${REFERENCE_PREFIX}inner.lm_head.weight`];
    t[`${REFERENCE_PREFIX}inner.rotary_emb.cos_cached`] = { dtype: 'F32', shape: [1], data: [0] };
    t[`${REFERENCE_PREFIX}inner.q_head.bias`] = { dtype: 'F32', shape: [3], data: [0, 0, 0] };
    const b = model(2);
    const before = evalLogits(b);
    let message = '';
    try {
      loadCheckpoint(b, writeSafetensors(t), { source: 'ckpt.safetensors' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^ckpt\.safetensors: checkpoint does not match the model/);
    expect(message).toMatch(/missing: _orig_mod\.model\.inner\.lm_head\.weight/);
    expect(message).toMatch(/unexpected: _orig_mod\.model\.inner\.rotary_emb\.cos_cached/);
    expect(message).toMatch(
      /mis-shaped: _orig_mod\.model\.inner\.q_head\.bias is \[3\], the model needs \[2\]/,
    );
    expect(evalLogits(b)).toEqual(before);
    a.dispose();
    b.dispose();
  });

  it('re-initialises a puzzle table of another size to the mean of its rows, with a warning', () => {
    const big = createTRM({ ...tiny, num_puzzle_identifiers: 5 }, { seed: 1 });
    const rows = tf.tensor2d(
      Array.from({ length: 40 }, (_, i) => (i % 8) + Math.floor(i / 8)),
      [5, 8],
    );
    big.stateDict().get('inner.puzzle_emb.weights')!.assign(rows);
    const small = model(2);
    const warnings: string[] = [];
    loadCheckpoint(small, saveCheckpoint(big), {
      source: 'big',
      onWarning: (m) => warnings.push(m),
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/big: puzzle-embedding table .* has 5 rows, the model 3/);
    const table = small.stateDict().get('inner.puzzle_emb.weights')!;
    // Column j of the stored rows holds j + 0..4, so its mean is j + 2.
    const expected = Array.from({ length: 24 }, (_, i) => (i % 8) + 2);
    expect(Array.from(table.dataSync())).toEqual(expected);
    tf.dispose(rows);
    big.dispose();
    small.dispose();
  });
});
