import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTRM, trmPreset } from '../src';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// The TRM paper's models; the puzzle-embedding table is a buffer and not counted.
describe('parameter counts', () => {
  it('TRM attention for ARC has 6,829,058 parameters', () => {
    const config = trmPreset('arc', {
      batch_size: 1,
      seq_len: 900,
      vocab_size: 12,
      num_puzzle_identifiers: 3,
    });
    const model = createTRM(config, { seed: 0 });
    expect(model.parameterCount()).toBe(6_829_058);
    model.dispose();
  });

  it('TRM-MLP for Sudoku has 5,028,866 parameters', () => {
    const config = trmPreset('sudoku_mlp', {
      batch_size: 1,
      seq_len: 81,
      vocab_size: 11,
      num_puzzle_identifiers: 1,
    });
    const model = createTRM(config, { seed: 0 });
    expect(model.parameterCount()).toBe(5_028_866);
    model.dispose();
  });
});
