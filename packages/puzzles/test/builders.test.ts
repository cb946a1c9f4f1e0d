import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decodeMaze,
  decodeSudoku,
  generateMazeDataset,
  generateSudokuDataset,
  isSolvedSudoku,
  type PuzzleSplit,
  parseSudokuCsv,
  SUDOKU_SHAPES,
  TrainSampler,
} from '../src/index.js';
import {
  BUILD_FILE,
  buildMismatch,
  buildSudokuDataset,
  readIdentifiers,
  readSplit,
  sudokuBuildSettings,
  writeDataset,
} from '../src/node.js';

const tmp = mkdtempSync(join(tmpdir(), 'rrm-builders-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function rows(split: PuzzleSplit, field: 'inputs' | 'labels'): number[][] {
  const set = split.sets.all;
  const out: number[][] = [];
  const row = new Int32Array(set.inputs.rowLength);
  for (let e = 0; e < set.inputs.numRows; e++) {
    set[field].readRow(e, row, 0);
    out.push(Array.from(row));
  }
  return out;
}

describe('generated datasets on disk', () => {
  it('a Sudoku dataset writes and reads back exactly, in the reference layout', () => {
    const shape = SUDOKU_SHAPES['4x4'];
    const data = generateSudokuDataset({ shape, numTrain: 12, numTest: 4, numAug: 3, seed: 5 });
    const dir = join(tmp, 'sudoku');
    writeDataset(dir, data);
    const train = readSplit(dir, 'train');
    expect(train.metadata).toEqual(data.train.metadata);
    expect(train.metadata).toMatchObject({
      seq_len: 16,
      vocab_size: 6,
      total_groups: 12,
      total_puzzles: 12, // the reference builder's count: one per original puzzle
      num_puzzle_identifiers: 1,
    });
    expect(rows(train, 'inputs')).toEqual(rows(data.train, 'inputs'));
    expect(rows(train, 'labels')).toEqual(rows(data.train, 'labels'));
    expect(Array.from(train.sets.all.groupIndices)).toEqual([
      0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48,
    ]);
    expect(Array.from(train.sets.all.puzzleIdentifiers).every((id) => id === 0)).toBe(true);
    for (const label of rows(train, 'labels'))
      expect(isSolvedSudoku(decodeSudoku(label, shape), shape)).toBe(true);
    expect(readIdentifiers(dir)).toEqual(['<blank>']);
    expect(readFileSync(join(dir, 'test', 'dataset.json'), 'utf8')).toContain(
      '"mean_puzzle_examples": 1.0',
    );
    // The trainer's view: full batches with every label scored (Sudoku labels have no pad).
    const batch = new TrainSampler(train, { globalBatchSize: 8, seed: 0 }).next();
    expect(batch.labels.every((t) => t >= 2 && t <= 5)).toBe(true);
    train.close();
  });

  it('is reproducible from the seed', () => {
    const make = () =>
      rows(
        generateSudokuDataset({
          shape: SUDOKU_SHAPES['6x6'],
          numTrain: 3,
          numTest: 1,
          numAug: 2,
          seed: 9,
        }).train,
        'inputs',
      );
    expect(make()).toEqual(make());
  });

  it('the streaming builder writes what the in-memory one makes, plus CSVs and build.json', () => {
    const options = {
      shape: SUDOKU_SHAPES['9x9'],
      numTrain: 10,
      numTest: 5,
      numAug: 3,
      minGivens: 24,
      maxGivens: 30,
      seed: 2,
    };
    const dir = join(tmp, 'streamed');
    buildSudokuDataset(dir, options);
    const memory = generateSudokuDataset(options);
    for (const split of ['train', 'test'] as const) {
      const disk = readSplit(dir, split);
      expect(disk.metadata).toEqual(memory[split].metadata);
      expect(rows(disk, 'inputs')).toEqual(rows(memory[split], 'inputs'));
      expect(rows(disk, 'labels')).toEqual(rows(memory[split], 'labels'));
      disk.close();
    }
    // The originals as Sudoku-Extreme CSV ('.' blanks), read back by the CSV importer.
    const csv = parseSudokuCsv(readFileSync(join(dir, 'test.csv'), 'utf8'));
    expect(csv.rows).toHaveLength(5);
    expect(csv.rows[0].question.join('')).toBe(
      rows(memory.test, 'inputs')[0]
        .map((t) => t - 1)
        .join(''),
    );
    expect(csv.rows.every((r) => Number.isInteger(r.rating) && r.rating >= 0)).toBe(true);
    expect(parseSudokuCsv(readFileSync(join(dir, 'train.csv'), 'utf8')).rows).toHaveLength(10);

    const settings = sudokuBuildSettings(options);
    expect(buildMismatch(dir, settings)).toBeNull();
    expect(buildMismatch(dir, sudokuBuildSettings({ ...options, maxGivens: 31 }))).toBe(
      'max_givens: 30 there, 31 wanted',
    );
    writeFileSync(join(dir, BUILD_FILE), '{');
    expect(buildMismatch(dir, settings)).toMatch(/build\.json is not JSON/);
    rmSync(join(dir, BUILD_FILE));
    expect(buildMismatch(dir, settings)).toBe('no build.json records how it was built');
  });

  it('a maze dataset holds each maze with its 8 dihedral variants', () => {
    const data = generateMazeDataset({ size: 9, numTrain: 2, numTest: 1, augment: true, seed: 1 });
    expect(data.train.metadata).toMatchObject({
      seq_len: 81,
      vocab_size: 6,
      total_groups: 2,
      total_puzzles: 2,
    });
    const answers = rows(data.train, 'labels').map((r) => decodeMaze(r));
    expect(new Set(answers.slice(0, 8)).size).toBeGreaterThan(1);
    expect(answers.every((a) => a.includes('S') && a.includes('G'))).toBe(true);
    expect(data.test.metadata.total_puzzles).toBe(1);
  });
});
