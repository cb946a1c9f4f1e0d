import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateMazeDataset, generateSudokuDataset, SUDOKU_SHAPES } from '../src/index.js';
import { arrayPath, readNpyFile, readSplit, writeDataset, writeNpyFile } from '../src/node.js';

const tmp = mkdtempSync(join(tmpdir(), 'rrm-validate-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A small maze dataset (vocab 6) written fresh for each case, to be damaged. */
function dataset(name: string): string {
  const dir = join(tmp, name);
  writeDataset(
    dir,
    generateMazeDataset({ size: 5, numTrain: 4, numTest: 2, augment: false, seed: 1 }),
  );
  return dir;
}

function setToken(dir: string, field: 'inputs' | 'labels', index: number, value: number): void {
  const path = arrayPath(dir, 'train', 'all', field);
  const a = readNpyFile(path);
  // int8 holds -3; the reference writes uint8, which cannot.
  const data = value < 0 ? Int8Array.from(a.data as Uint8Array) : a.data;
  data[index] = value;
  writeNpyFile(path, { dtype: value < 0 ? 'int8' : a.dtype, shape: a.shape, data });
}

function editMetadata(dir: string, from: string, to: string): void {
  const path = join(dir, 'train', 'dataset.json');
  const text = readFileSync(path, 'utf8');
  expect(text).toContain(from);
  writeFileSync(path, text.replace(from, to));
}

describe('dataset validation on open', () => {
  it.each(['memory', 'file'] as const)(
    'refuses input and label tokens outside the vocabulary, by position (%s rows)',
    (rows) => {
      const a = dataset(`input-50-${rows}`);
      setToken(a, 'inputs', 27, 50);
      expect(() => readSplit(a, 'train', { rows })).toThrow(
        /train\/all__\*\.npy: inputs\[1, 2\] = 50 is outside the vocabulary \[0, 6\)/,
      );
      const b = dataset(`label-neg-${rows}`);
      setToken(b, 'labels', 3, -3);
      expect(() => readSplit(b, 'train', { rows })).toThrow(
        /labels\[0, 3\] = -3 is outside the vocabulary \[0, 6\) or the ignore label 0/,
      );
    },
  );

  it('refuses a vocab_size smaller than the tokens', () => {
    const dir = dataset('vocab');
    editMetadata(dir, '"vocab_size": 6', '"vocab_size": 4');
    expect(() => readSplit(dir, 'train')).toThrow(/is outside the vocabulary \[0, 4\)/);
  });

  it('refuses total_groups and total_puzzles that disagree with the index arrays', () => {
    const dir = dataset('groups');
    editMetadata(dir, '"total_groups": 4', '"total_groups": 999');
    expect(() => readSplit(dir, 'train')).toThrow(
      /train\/dataset.json: "total_groups" is 999, but the index arrays hold 4/,
    );
    editMetadata(dir, '"total_groups": 999', '"total_groups": 4');
    editMetadata(dir, '"total_puzzles": 4', '"total_puzzles": 5');
    expect(() => readSplit(dir, 'train')).toThrow(
      /"total_puzzles" is 5, but the index arrays hold 4 puzzles in 4 groups/,
    );
  });

  it('takes total_puzzles as either reference builder counts it: every puzzle, or one per group', () => {
    // 3 puzzles of 6x6 Sudoku with 2 augmentations each: 9 puzzles in 3 groups.
    const built = generateSudokuDataset({
      shape: SUDOKU_SHAPES['6x6'],
      numTrain: 3,
      numTest: 1,
      numAug: 2,
      seed: 0,
    });
    const dir = join(tmp, 'total-puzzles');
    writeDataset(dir, built);
    const meta = readSplit(dir, 'train').metadata;
    expect([meta.total_groups, meta.total_puzzles]).toEqual([3, 3]);
    editMetadata(dir, '"total_puzzles": 3', '"total_puzzles": 9');
    expect(readSplit(dir, 'train').metadata.total_puzzles).toBe(9);
    editMetadata(dir, '"total_puzzles": 9', '"total_puzzles": 6');
    expect(() => readSplit(dir, 'train')).toThrow(
      /"total_puzzles" is 6, but the index arrays hold 9 puzzles in 3 groups/,
    );
  });

  it('reads the undamaged dataset', () => {
    const split = readSplit(dataset('ok'), 'train', { rows: 'file' });
    expect(split.metadata.total_groups).toBe(4);
    split.close();
  });
});
