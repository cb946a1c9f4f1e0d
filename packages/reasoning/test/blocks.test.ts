import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@rrm/random';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ReasoningConfig, ReasoningInner, ReasoningModule } from '../src';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const values = (t: tf.Tensor) => Array.from(t.dataSync());

const config: ReasoningConfig = {
  batch_size: 2,
  seq_len: 3,
  puzzle_emb_ndim: 6,
  num_puzzle_identifiers: 4,
  vocab_size: 5,
  H_cycles: 1,
  L_cycles: 1,
  H_layers: 0,
  L_layers: 1,
  hidden_size: 4,
  expansion: 2,
  num_heads: 1,
  pos_encodings: 'none',
  mlp_t: false,
  grid_mix: false,
  sudoku_mix: false,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  halt_max_steps: 1,
  halt_exploration_prob: 0,
  halt_in_training: true,
  forward_dtype: 'float32',
};

class Frame extends ReasoningInner {}

describe('ReasoningModule', () => {
  it('adds the injection, then runs its blocks', () => {
    const m = new ReasoningModule(1, { ...config, tokenMixLength: 2 }, new Rng(1));
    expect([...m.stateDict().keys()]).toEqual([
      'layers.0.mlp_t.gate_up_proj.weight',
      'layers.0.mlp_t.down_proj.weight',
      'layers.0.mlp.gate_up_proj.weight',
      'layers.0.mlp.down_proj.weight',
    ]);
    const a = tf.randomNormal([1, 2, 4], 0, 1, 'float32', 1) as tf.Tensor3D;
    const b = tf.randomNormal([1, 2, 4], 0, 1, 'float32', 2) as tf.Tensor3D;
    // Only the sum reaches the blocks.
    const viaSum = m.apply(tf.add(a, b) as tf.Tensor3D, tf.zerosLike(a), null);
    expect(values(m.apply(a, b, null))).toEqual(values(viaSum));
    m.dispose();
  });
});

describe('ReasoningInner', () => {
  it('embeds tokens after a zero-padded puzzle prefix and reads the heads', () => {
    const inner = new Frame(config, 2, new Rng(3)); // 6 puzzle dims in 2 positions of 4
    expect(inner.totalLen).toBe(5);
    expect(inner.H_init.trainable).toBe(false);
    const rows = tf.tensor2d([1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0, 0], [2, 6]);
    const x = inner.inputEmbeddings(tf.tensor2d([1, 2, 3, 0, 0, 0], [2, 3], 'int32'), rows);
    expect(x.shape).toEqual([2, 5, 4]);
    // √D · (rows padded to 8 values), then the tokens.
    expect(values(x).slice(0, 8)).toEqual([2, 4, 6, 8, 10, 12, 0, 0]);
    const table = inner.stateDict().get('embed_tokens.embedding_weight')!;
    const row1 = values(table)
      .slice(4, 8)
      .map((v) => v * 2);
    for (const [i, v] of values(x).slice(8, 12).entries()) expect(v).toBeCloseTo(row1[i], 5);
    const heads = inner.heads(x);
    expect(heads.logits.shape).toEqual([2, 3, 5]); // the prefix positions are dropped
    expect(values(heads.qHalt)).toEqual([-5, -5]); // q_head starts at weight 0, bias -5
    inner.dispose();
  });
});
