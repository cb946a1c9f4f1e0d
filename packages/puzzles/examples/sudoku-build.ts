// Run from the repo root: pnpm exec tsx --conditions=source packages/puzzles/examples/sudoku-build.ts
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SUDOKU_SHAPES } from '@rrm/puzzles';
import { buildSudokuDataset } from '@rrm/puzzles/node';

// 9×9 puzzles with 24–27 givens, streamed to disk; no test puzzle (nor an augmentation of
// one) is also in training. The folder gets train.csv/test.csv (Sudoku-Extreme layout) and
// build.json (the settings, so a folder built otherwise is not mistaken for this one).
const dir = mkdtempSync(join(tmpdir(), 'sudoku-9x9-hard-'));
buildSudokuDataset(dir, {
  shape: SUDOKU_SHAPES['9x9'],
  numTrain: 20,
  numTest: 5,
  numAug: 2,
  minGivens: 24,
  maxGivens: 27,
  seed: 0,
});
console.log(readFileSync(join(dir, 'test.csv'), 'utf8').split('\n').slice(0, 2).join('\n'));
rmSync(dir, { recursive: true });
