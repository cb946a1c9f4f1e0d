// Run from the repo root: pnpm exec tsx --conditions=source packages/puzzles/examples/sudoku.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  formatSudoku,
  generateMaze,
  generateSudoku,
  generateSudokuDataset,
  SUDOKU_SHAPES,
  solveSudoku,
  TrainSampler,
  testBatches,
} from '@rrm/puzzles';
import { readSplit, writeDataset } from '@rrm/puzzles/node';
import { Rng } from '@rrm/random';

// One puzzle with a unique solution, and a maze whose shortest path is long ("hard").
const rng = new Rng(1);
const shape = SUDOKU_SHAPES['6x6'];
const { question } = generateSudoku(shape, rng, { minGivens: 12 });
console.log(formatSudoku(question, shape));
console.log('solutions:', solveSudoku(question, shape).count); // 1
const maze = generateMaze(rng, { size: 15, minPathLength: 30 });
for (let r = 0; r < maze.size; r++)
  console.log(maze.answer.slice(r * maze.size, (r + 1) * maze.size));

// A dataset in the reference layout: 100 training puzzles (each + 4 augmentations), 20 test.
const dir = mkdtempSync(join(tmpdir(), 'sudoku-6x6-'));
writeDataset(dir, generateSudokuDataset({ shape, numTrain: 100, numTest: 20, numAug: 4, seed: 0 }));
const train = readSplit(dir, 'train');
const sampler = new TrainSampler(train, { globalBatchSize: 32, seed: 0 });
const batch = sampler.next(); // inputs/labels Int32Array [32 * 36], labels -100 where ignored
const state = sampler.getState(); // JSON; new TrainSampler(train, opts, state) resumes exactly
console.log('train batch of', batch.inputs.length / 36, 'sampler state', JSON.stringify(state));
const test = readSplit(dir, 'test');
for (const b of testBatches(test, 8)) {
  // The last batch is padded: blank identifiers, pad inputs, ignored labels.
  console.log('test batch with', b.effectiveSize, 'real rows');
}
train.close();
test.close();
rmSync(dir, { recursive: true });
