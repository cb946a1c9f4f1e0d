import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DatasetError,
  decodeNpy,
  encodeNpy,
  generateMazeDataset,
  NpyFormatError,
  parseMazeCsv,
  parseSudokuCsv,
} from '../src/index.js';
import { readSplit, writeDataset } from '../src/node.js';
import { mutatedBytes, mutatedText, PROPERTY_RUNS, readsOrNames } from './mutate.js';

const tmp = mkdtempSync(join(tmpdir(), 'rrm-properties-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('parsers on damaged input: a correct read or a named error', () => {
  it('.npy bytes', () => {
    const valid = encodeNpy({
      dtype: 'int32',
      shape: [3, 4],
      data: Int32Array.from({ length: 12 }, (_, i) => i - 5),
    });
    fc.assert(
      fc.property(mutatedBytes(valid), (bytes) =>
        readsOrNames(() => {
          const a = decodeNpy(bytes, 'm.npy');
          // A read is a whole array of the shape its header gives.
          expect(a.data.length).toBe(a.shape.reduce((x, y) => x * y, 1));
        }, [NpyFormatError]),
      ),
      PROPERTY_RUNS,
    );
  });

  it('dataset.json and the .npy files of a split folder', () => {
    const dir = join(tmp, 'maze');
    writeDataset(
      dir,
      generateMazeDataset({ size: 5, numTrain: 3, numTest: 1, augment: false, seed: 4 }),
    );
    const files = [
      'dataset.json',
      'all__inputs.npy',
      'all__puzzle_indices.npy',
      'all__group_indices.npy',
    ];
    const originals = files.map((f) => readFileSync(join(dir, 'train', f)));
    const damaged = fc
      .integer({ min: 0, max: files.length - 1 })
      .chain((which) => fc.tuple(fc.constant(which), mutatedBytes(originals[which])));
    fc.assert(
      fc.property(damaged, ([which, bytes]) => {
        const copy = join(tmp, 'copy');
        rmSync(copy, { recursive: true, force: true });
        mkdirSync(join(copy, 'train'), { recursive: true });
        files.forEach((f, i) => {
          writeFileSync(join(copy, 'train', f), i === which ? bytes : originals[i]);
        });
        for (const f of ['all__labels.npy', 'all__puzzle_identifiers.npy'])
          writeFileSync(join(copy, 'train', f), readFileSync(join(dir, 'train', f)));
        return readsOrNames(() => {
          for (const rows of ['memory', 'file'] as const)
            readSplit(copy, 'train', { rows }).close();
        }, [DatasetError, NpyFormatError]);
      }),
      { ...PROPERTY_RUNS, numRuns: 150 },
    );
  });

  it('Sudoku CSV', () => {
    const valid = [
      'source,question,answer,rating',
      'a,1.3.3..2.1.3.3.1,1234341221434321,0',
      'b,....341221434321,1234341221434321,3',
    ].join('\n');
    expect(parseSudokuCsv(valid).rows).toHaveLength(2);
    fc.assert(
      fc.property(mutatedText(valid), (text) =>
        readsOrNames(() => parseSudokuCsv(text, 's.csv'), [DatasetError]),
      ),
      PROPERTY_RUNS,
    );
  });

  it('maze CSV', () => {
    const valid = ['source,question,answer,rating', 'a,#S #  G ####    ,#So#ooGo####    ,2'].join(
      '\n',
    );
    expect(parseMazeCsv(valid).size).toBe(4);
    fc.assert(
      fc.property(mutatedText(valid), (text) =>
        readsOrNames(() => parseMazeCsv(text, 'm.csv'), [DatasetError]),
      ),
      PROPERTY_RUNS,
    );
  });
});
