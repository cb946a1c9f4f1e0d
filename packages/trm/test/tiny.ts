import type { TRMConfig } from '../src';

/** A TRM small enough for the cpu backend: batch 3, 6 tokens, 2 puzzle positions of 8. */
export const tiny = {
  batch_size: 3,
  seq_len: 6,
  vocab_size: 5,
  num_puzzle_identifiers: 4,
  puzzle_emb_ndim: 12,
  puzzle_emb_len: 2,
  H_cycles: 2,
  L_cycles: 2,
  L_layers: 1,
  hidden_size: 8,
  expansion: 2,
  num_heads: 2,
  pos_encodings: 'rope',
  halt_max_steps: 3,
  halt_exploration_prob: 0,
  forward_dtype: 'float32',
} satisfies Partial<TRMConfig>;
