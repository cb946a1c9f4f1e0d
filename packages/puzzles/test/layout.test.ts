import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateMazeDataset, type RowSource } from '../src/index.js';
import {
  FIELDS,
  readIdentifiers,
  readSplit,
  SPLITS,
  writeDataset,
  writeIdentifiers,
  writeSplit,
} from '../src/node.js';
import { sharedPath } from './shared.js';

const mini = sharedPath('arc/official-layout-mini');
const tmp = mkdtempSync(join(tmpdir(), 'rrm-layout-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function rowSum(rows: RowSource): number {
  const row = new Int32Array(rows.rowLength);
  let sum = 0;
  for (let r = 0; r < rows.numRows; r++) {
    rows.readRow(r, row, 0);
    for (const v of row) sum += v;
  }
  return sum;
}

const sum = (a: Int32Array) => a.reduce((x, y) => x + y, 0);

describe.skipIf(mini.missing)('official-layout-mini fixture', () => {
  it('reads metadata and arrays unchanged (figures from numpy)', () => {
    const train = readSplit(mini.path, 'train');
    const test = readSplit(mini.path, 'test', { rows: 'file' });
    expect(train.metadata).toEqual({
      pad_id: 0,
      ignore_label_id: 0,
      blank_identifier_id: 0,
      vocab_size: 12,
      seq_len: 900,
      num_puzzle_identifiers: 73,
      total_groups: 18,
      mean_puzzle_examples: 3.888888888888889,
      total_puzzles: 72,
      sets: ['all'],
    });
    expect(test.metadata.mean_puzzle_examples).toBe(1);
    const t = train.sets.all;
    expect([t.inputs.numRows, t.inputs.rowLength]).toEqual([280, 900]);
    expect([rowSum(t.inputs), rowSum(t.labels)]).toEqual([178650, 211034]);
    expect([sum(t.puzzleIdentifiers), sum(t.puzzleIndices), sum(t.groupIndices)]).toEqual([
      2628, 10940, 684,
    ]);
    expect(Array.from(t.puzzleIndices.subarray(0, 6))).toEqual([0, 5, 10, 15, 20, 23]);
    const s = test.sets.all;
    expect([s.inputs.numRows, rowSum(s.inputs), rowSum(s.labels)]).toEqual([24, 27552, 36346]);
    expect(Array.from(s.groupIndices)).toEqual([0, 4, 8, 12, 16, 20, 24]);
    expect(s.puzzleIdentifiers[0]).toBe(49);
    test.close();
    train.close();
    const ids = readIdentifiers(mini.path);
    expect(ids.length).toBe(73);
    expect(ids[0]).toBe('<blank>');
    expect(ids[2]).toBe('09629e4f|||t7|||0197425638');
  });

  it('writes back byte-identical files (.npy, dataset.json, identifiers.json)', () => {
    for (const split of SPLITS) {
      const data = readSplit(mini.path, split);
      writeSplit(tmp, split, data);
      data.close();
      for (const field of FIELDS) {
        const name = join(split, `all__${field}.npy`);
        expect(
          Buffer.compare(readFileSync(join(tmp, name)), readFileSync(join(mini.path, name))),
          name,
        ).toBe(0);
      }
      const meta = join(split, 'dataset.json');
      expect(readFileSync(join(tmp, meta), 'utf8')).toBe(
        readFileSync(join(mini.path, meta), 'utf8'),
      );
    }
    writeIdentifiers(tmp, readIdentifiers(mini.path));
    expect(readFileSync(join(tmp, 'identifiers.json'), 'utf8')).toBe(
      readFileSync(join(mini.path, 'identifiers.json'), 'utf8'),
    );
  });
});

describe('layout errors', () => {
  it('names the file and field that is wrong', () => {
    const dir = join(tmp, 'bad');
    expect(() => readSplit(dir, 'train')).toThrow(/bad\/train\/dataset.json: file not found/);
    writeFileSync(join(tmp, 'identifiers.json'), '{"a": 1}');
    expect(() => readIdentifiers(tmp)).toThrow(/identifiers.json: expected a list of strings/);
  });

  it.skipIf(mini.missing)('rejects index arrays that disagree with the rows', () => {
    const dir = join(tmp, 'broken');
    const data = readSplit(mini.path, 'test');
    writeSplit(dir, 'test', data);
    data.close();
    const metaPath = join(dir, 'test', 'dataset.json');
    writeFileSync(
      metaPath,
      readFileSync(metaPath, 'utf8').replace('"seq_len": 900', '"seq_len": 81'),
    );
    expect(() => readSplit(dir, 'test')).toThrow(
      /inputs rows have length 900, dataset.json says seq_len 81/,
    );
    writeFileSync(
      metaPath,
      readFileSync(metaPath, 'utf8')
        .replace('"seq_len": 81', '"seq_len": 900')
        .replace('"num_puzzle_identifiers": 73', '"num_puzzle_identifiers": 10'),
    );
    expect(() => readSplit(dir, 'test')).toThrow(
      /puzzle_identifiers\[0\] = 49 is outside \[0, 10\)/,
    );
    // HRM-era metadata without total_puzzles: counted from the arrays.
    writeFileSync(
      metaPath,
      readFileSync(metaPath, 'utf8')
        .replace('"num_puzzle_identifiers": 10', '"num_puzzle_identifiers": 73')
        .replace(', "total_puzzles": 24', ''),
    );
    expect(readSplit(dir, 'test').metadata.total_puzzles).toBe(24);
    writeFileSync(metaPath, '{"pad_id": 0}');
    expect(() => readSplit(dir, 'test')).toThrow(/dataset.json: missing field "ignore_label_id"/);
  });
});

const numpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
if (numpy.status !== 0)
  console.warn('skipping the numpy cross-check: python3 with numpy not found');

describe('other dtypes', () => {
  it('reads int64 token arrays (reference Sudoku builds with augmentation) from memory and from disk', () => {
    const data = generateMazeDataset({ size: 5, numTrain: 3, numTest: 1, augment: false, seed: 2 });
    const dir = join(tmp, 'int64');
    writeSplit(dir, 'train', data.train, 'int64');
    for (const rows of ['memory', 'file'] as const) {
      const back = readSplit(dir, 'train', { rows });
      expect(rowSum(back.sets.all.inputs)).toBe(rowSum(data.train.sets.all.inputs));
      back.close();
    }
  });
});

describe.skipIf(numpy.status !== 0)('numpy reads what we write', () => {
  it('np.load (memory-mapped, as the reference loader) sees the same dtypes, shapes and values', () => {
    const dir = join(tmp, 'maze-for-numpy');
    const data = generateMazeDataset({ size: 12, numTrain: 4, numTest: 2, augment: true, seed: 3 });
    writeDataset(dir, data);
    const script = `
import json, sys, numpy as np
out = {}
for split in ("train", "test"):
    for f in ${JSON.stringify([...FIELDS])}:
        a = np.load(f"{sys.argv[1]}/{split}/all__{f}.npy", mmap_mode="r")
        out[f"{split}/{f}"] = [str(a.dtype), list(a.shape), int(np.asarray(a, dtype=np.int64).sum())]
print(json.dumps(out))`;
    const r = spawnSync('python3', ['-c', script, dir], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const seen = JSON.parse(r.stdout);
    for (const split of SPLITS) {
      const set = data[split].sets.all;
      const total = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0);
      expect(seen[`${split}/inputs`]).toEqual([
        'uint8',
        [set.inputs.numRows, 144],
        rowSum(set.inputs),
      ]);
      expect(seen[`${split}/labels`]).toEqual([
        'uint8',
        [set.labels.numRows, 144],
        rowSum(set.labels),
      ]);
      expect(seen[`${split}/puzzle_indices`]).toEqual([
        'int32',
        [set.puzzleIndices.length],
        total(set.puzzleIndices),
      ]);
      expect(seen[`${split}/group_indices`]).toEqual([
        'int32',
        [set.groupIndices.length],
        total(set.groupIndices),
      ]);
      expect(seen[`${split}/puzzle_identifiers`]).toEqual([
        'int32',
        [set.puzzleIdentifiers.length],
        0,
      ]);
    }
  });
});
