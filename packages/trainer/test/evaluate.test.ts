import '@tensorflow/tfjs-backend-cpu';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { generateSudokuDataset } from '@rrm/puzzles';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sudokuBuildOptions, TrainingLoop, totalSteps, withDatasetKeys } from '../src/browser.js';
import { tempDir, tinyHrmConfig } from './fixture.js';

const root = tempDir('evaluate');
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('counts where an HRM would halt by its own rule, q_halt > q_continue', async () => {
  const config = tinyHrmConfig(join(root, 'data'));
  if (config.build_data?.kind !== 'sudoku') throw new Error('the fixture builds Sudoku');
  const data = generateSudokuDataset(sudokuBuildOptions(config.build_data));
  const cfg = { ...withDatasetKeys(config, data.train.metadata), ema: false };
  const loop = new TrainingLoop(cfg, data.train, totalSteps(cfg, data.train.metadata));
  // The Q head starts with zero weights, so its bias is its output: q_halt = -1 (TRM's rule,
  // q_halt > 0, never stops) above q_continue = -3 (HRM's rule stops at once).
  const bias = [...loop.model.stateDict()].find(([name]) => name.endsWith('q_head.bias'));
  (bias![1] as tf.Variable).assign(tf.tensor1d([-1, -3]));
  const { count, halting } = (await loop.evaluate(data.test)).sets.all;
  expect(halting).toEqual({ mean_halt_step: 1, histogram: [count, 0, 0] });
  loop.dispose();
});
