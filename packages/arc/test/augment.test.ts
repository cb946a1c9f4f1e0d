import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dihedral, type Grid, gridFromRows, gridsEqual, gridToRows, makeGrid } from '@rrm/puzzles';
import { readIdentifiers, readSplit } from '@rrm/puzzles/node';
import { Rng } from '@rrm/random';
import { describe, expect, it } from 'vitest';
import {
  applyAugmentation,
  augmentationName,
  chooseAugmentations,
  encodeArcGrid,
  invertAugmentation,
  parseAugmentationName,
  parseTask,
  randomAugmentation,
} from '../src/index.js';
import { sharedPath } from './shared.js';

function randomGrid(rng: Rng): Grid {
  const g = makeGrid(1 + rng.int(30), 1 + rng.int(30));
  for (let i = 0; i < g.data.length; i++) g.data[i] = rng.int(10);
  return g;
}

describe('dihedral transforms (reference ids)', () => {
  it('match numpy: rot90 counter-clockwise, flips, transpose and anti-transpose', () => {
    const g = gridFromRows([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const expected = [
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      [
        [3, 6],
        [2, 5],
        [1, 4],
      ],
      [
        [6, 5, 4],
        [3, 2, 1],
      ],
      [
        [4, 1],
        [5, 2],
        [6, 3],
      ],
      [
        [3, 2, 1],
        [6, 5, 4],
      ],
      [
        [4, 5, 6],
        [1, 2, 3],
      ],
      [
        [1, 4],
        [2, 5],
        [3, 6],
      ],
      [
        [6, 3],
        [5, 2],
        [4, 1],
      ],
    ];
    expected.forEach((rows, t) => {
      expect(gridToRows(dihedral(g, t)), `t${t}`).toEqual(rows);
    });
  });

  it('every augmentation followed by its inverse is the identity on random grids', () => {
    const rng = new Rng(77);
    for (let i = 0; i < 2000; i++) {
      const g = randomGrid(rng);
      const aug = randomAugmentation(rng);
      const there = applyAugmentation(g, aug);
      expect(gridsEqual(invertAugmentation(there, aug), g)).toBe(true);
      // Colour 0 stays 0.
      expect(there.data.filter((v) => v === 0).length).toBe(g.data.filter((v) => v === 0).length);
    }
  });
});

describe('augmentation names and choice', () => {
  it('round-trips the name and rejects malformed ones', () => {
    const aug = randomAugmentation(new Rng(1));
    const { id, augmentation } = parseAugmentationName(augmentationName('007bbfb7', aug));
    expect(id).toBe('007bbfb7');
    expect(augmentation).toEqual(aug);
    expect(parseAugmentationName('007bbfb7')).toEqual({ id: '007bbfb7', augmentation: null });
    expect(() => parseAugmentationName('x|||t9|||0123456789')).toThrow(/does not end in/);
    expect(() => parseAugmentationName('x|||t1|||1023456789')).toThrow(/keeping 0/);
  });

  it('keeps only distinct variants and stops at the retry bound', () => {
    const rng = new Rng(3);
    const task = parseTask(
      't',
      {
        train: [
          {
            input: [
              [1, 2],
              [3, 4],
            ],
            output: [[5]],
          },
        ],
        test: [{ input: [[6, 7]], output: [[8]] }],
      },
      { file: 'x' },
    );
    const pairs = [...task.train, ...task.test];
    const augs = chooseAugmentations(pairs, 50, rng);
    expect(augs.length).toBe(51);
    const contents = new Set(
      augs.map((a) =>
        pairs.map((p) => gridToRows(applyAugmentation(p.input, a)).join(';')).join('/'),
      ),
    );
    expect(contents.size).toBe(51);
    // An all-black 1x1 task has no distinct variant at all: the retries run out.
    const black = parseTask(
      'b',
      { train: [{ input: [[0]], output: [[0]] }], test: [{ input: [[0]], output: [[0]] }] },
      { file: 'x' },
    );
    expect(chooseAugmentations([...black.train, ...black.test], 10, rng).length).toBe(1);
  });
});

const mini = sharedPath('arc/official-layout-mini');

describe.skipIf(mini.missing)('reference augmentation semantics', () => {
  it('applying each test puzzle name to the original test input gives the fixture rows exactly', () => {
    const ids = readIdentifiers(mini.path);
    const testPuzzles = JSON.parse(readFileSync(join(mini.path, 'test_puzzles.json'), 'utf8'));
    const split = readSplit(mini.path, 'test');
    const set = split.sets.all;
    const row = new Int32Array(900);
    let checked = 0;
    for (let p = 0; p < set.puzzleIdentifiers.length; p++) {
      const { id, augmentation } = parseAugmentationName(ids[set.puzzleIdentifiers[p]]);
      const task = parseTask(id, testPuzzles[id], { file: 'test_puzzles.json' });
      task.test.forEach((pair, i) => {
        const e = set.puzzleIndices[p] + i;
        for (const [rows, grid] of [
          [set.inputs, pair.input],
          [set.labels, pair.output!],
        ] as const) {
          rows.readRow(e, row, 0);
          const g = augmentation ? applyAugmentation(grid, augmentation) : grid;
          expect(Array.from(encodeArcGrid(g))).toEqual(Array.from(row));
          checked++;
        }
      });
    }
    split.close();
    expect(checked).toBe(48);
  });
});
