import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTRM, trmPreset } from '../src';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// The TRM paper's models; the puzzle-embedding table is a buffer and not counted.
describe('parameter counts', () => {
  it.each([
    ['attention for ARC', 'arc', 900, 12, 6_829_058],
    ['MLP for Sudoku', 'sudoku_mlp', 81, 11, 5_028_866],
  ] as const)('TRM %s', (_, preset, seq_len, vocab_size, count) => {
    const config = trmPreset(preset, {
      batch_size: 1,
      seq_len,
      vocab_size,
      num_puzzle_identifiers: 3,
    });
    const model = createTRM(config, { seed: 0 });
    expect(model.parameterCount()).toBe(count);
    model.dispose();
  });
});
