/**
 * The maze dataset builder on disk: each maze is written (with its dihedral transforms in
 * training) as soon as it is generated, so memory does not grow with the count. The
 * folder is the one `writeDataset(dir, generateMazeDataset(options))` writes, byte for
 * byte, plus `build.json`; it is built whole (`buildDatasetFolder`).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  generateMazes,
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
import { BUILD_FILE } from './sudoku-build.js';

/** Bumped whenever the same settings would build different mazes. */
const MAZE_BUILDER_VERSION = 1;

/** What `build.json` records for a maze build: everything that decides the mazes written. */
export function mazeBuildSettings(options: MazeDatasetOptions): Record<string, unknown> {
  const minPath = options.minPathLength ?? 1;
  return {
    kind: 'maze',
    version: MAZE_BUILDER_VERSION,
    size: options.size ?? 30,
    train_puzzles: options.numTrain,
    test_puzzles: options.numTest,
    min_path: minPath,
    test_min_path: options.testMinPathLength ?? minPath,
    loop_fraction: options.loopFraction ?? 0.05,
    carver: options.carver ?? 'backtrack',
    augment: options.augment,
    seed: options.seed,
  };
}

export function buildMazeDataset(dir: string, options: MazeDatasetOptions): void {
  const size = options.size ?? 30;
  const splits = [
    { split: 'train' as const, count: options.numTrain, dihedral: options.augment },
    { split: 'test' as const, count: options.numTest, dihedral: false },
  ];
  buildDatasetFolder(dir, (tmp) => {
    const writers = splits.map(
      ({ split, count, dihedral }) =>
        new PuzzleSetWriter(tmp, split, 'all', {
          numExamples: count * (dihedral ? 8 : 1),
          seqLen: size * size,
          dtype: tokenDtype(MAZE_VOCAB_SIZE),
        }),
    );
    for (const { split, maze } of generateMazes(options)) {
      const s = split === 'train' ? 0 : 1;
      for (const [input, label] of mazeGroup(maze, splits[s].dihedral)) {
        writers[s].addExample(input, label);
        writers[s].endPuzzle(0);
      }
      writers[s].endGroup();
    }
    splits.forEach(({ split, count }, s) => {
      writers[s].close();
      writeMetadata(tmp, split, singleExampleMetadata(count, size * size, MAZE_VOCAB_SIZE));
    });
    writeIdentifiers(tmp, ['<blank>']);
    writeFileSync(
      join(tmp, BUILD_FILE),
      `${JSON.stringify(mazeBuildSettings(options), null, 2)}\n`,
    );
  });
}
