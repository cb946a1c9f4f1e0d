/**
 * The maze dataset builder on disk: each maze is written (with its dihedral transforms in
 * training) as soon as it is generated, so memory does not grow with the count. The
 * folder is the one `writeDataset(dir, generateMazeDataset(options))` writes, byte for
 * byte; it is built whole (`buildDatasetFolder`).
 */
import { Rng } from '@rrm/random';
import {
  checkCount,
  MAZE_VOCAB_SIZE,
  type MazeDatasetOptions,
  mazeGroup,
  singleExampleMetadata,
} from './builders.js';
import {
  buildDatasetFolder,
  PuzzleSetWriter,
  tokenDtype,
  writeIdentifiers,
  writeMetadata,
} from './layout.js';
import { generateMaze } from './maze.js';

export function buildMazeDataset(dir: string, options: MazeDatasetOptions): void {
  checkCount('numTrain', options.numTrain);
  checkCount('numTest', options.numTest);
  const size = options.size ?? 30;
  const total = options.numTrain + options.numTest;
  // One seeded stream, training mazes first, as generateMazeDataset draws them.
  const rng = new Rng(options.seed);
  let made = 0;
  const splits = [
    { split: 'train', count: options.numTrain, dihedral: options.augment },
    { split: 'test', count: options.numTest, dihedral: false },
  ];
  buildDatasetFolder(dir, (tmp) => {
    for (const { split, count, dihedral } of splits) {
      const writer = new PuzzleSetWriter(tmp, split, 'all', {
        numExamples: count * (dihedral ? 8 : 1),
        seqLen: size * size,
        dtype: tokenDtype(MAZE_VOCAB_SIZE),
      });
      for (let i = 0; i < count; i++) {
        for (const [input, label] of mazeGroup(generateMaze(rng, options), dihedral)) {
          writer.addExample(input, label);
          writer.endPuzzle(0);
        }
        writer.endGroup();
        options.onProgress?.(++made, total);
      }
      writer.close();
      writeMetadata(tmp, split, singleExampleMetadata(count, size * size, MAZE_VOCAB_SIZE));
    }
    writeIdentifiers(tmp, ['<blank>']);
  });
}
