import { ARC_VOCAB_SIZE } from '@rrm/arc';

/** A tiny TRM on 4×4 Sudoku, fast on the cpu backend. */
export const TRM_ARCH = {
  seq_len: 16,
  vocab_size: 6,
  num_puzzle_identifiers: 1,
  batch_size: 4,
  H_cycles: 2,
  L_cycles: 2,
  L_layers: 1,
  hidden_size: 16,
  num_heads: 2,
  expansion: 2,
  puzzle_emb_ndim: 0,
  pos_encodings: 'learned',
  halt_max_steps: 3,
  halt_exploration_prob: 0,
  forward_dtype: 'float32',
};

/** The same on ARC's tokens, a 6×6 canvas, with a puzzle embedding for each identifier. */
export const arcArch = (numPuzzleIdentifiers: number) => ({
  ...TRM_ARCH,
  seq_len: 36,
  vocab_size: ARC_VOCAB_SIZE,
  num_puzzle_identifiers: numPuzzleIdentifiers,
  puzzle_emb_ndim: 16,
  puzzle_emb_len: 1,
  halt_max_steps: 2,
});

/** An ARC task in the file format: each row's two colours swap places. */
export const SWAP_TASK = {
  train: [
    {
      input: [
        [1, 0],
        [0, 2],
      ],
      output: [
        [2, 0],
        [0, 1],
      ],
    },
  ],
  test: [{ input: [[3, 4]], output: [[4, 3]] }],
};
