// Run from the repo root: pnpm exec tsx --conditions=source packages/arc/examples/augment.ts
import {
  applyAugmentation,
  augmentationName,
  encodeArcGrid,
  formatArcGrid,
  invertAugmentation,
  parseTask,
  randomAugmentation,
} from '@rrm/arc';
import { Rng } from '@rrm/random';

// A task in the public JSON format: demonstration pairs and a test input.
const task = parseTask(
  'flip',
  {
    train: [
      {
        input: [
          [1, 0],
          [2, 3],
        ],
        output: [
          [0, 1],
          [3, 2],
        ],
      },
    ],
    test: [
      {
        input: [
          [4, 5],
          [0, 6],
        ],
        output: [
          [5, 4],
          [6, 0],
        ],
      },
    ],
  },
  { file: 'inline' },
);
const grid = task.test[0].input;
console.log(formatArcGrid(grid, false));

// A dihedral transform plus a colour permutation, named the way the dataset names puzzles.
const aug = randomAugmentation(new Rng(3));
const seen = applyAugmentation(grid, aug);
console.log(augmentationName(task.id, aug));
console.log(formatArcGrid(seen, false));
console.log(
  'inverted back:',
  JSON.stringify(invertAugmentation(seen, aug)) === JSON.stringify(grid),
);

// The 30x30 token canvas the models read: colours + 2, end-of-row/column markers, padding.
const tokens = encodeArcGrid(seen);
console.log(tokens.length, Array.from(tokens.slice(0, 4)));
