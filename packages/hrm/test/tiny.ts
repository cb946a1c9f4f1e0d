/** An HRM small enough for the cpu backend: batch 2, 5 tokens, 1 puzzle position of 8. */
export const tiny = {
  batch_size: 2,
  seq_len: 5,
  vocab_size: 6,
  num_puzzle_identifiers: 3,
  puzzle_emb_ndim: 8,
  H_cycles: 2,
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
