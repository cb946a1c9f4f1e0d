import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '@rrm/reasoning';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDataset, resolveConfig } from '../src/index.js';
import { tempDir } from './fixture.js';

const root = tempDir('data');
afterAll(() => rmSync(root, { recursive: true, force: true }));

function config(dir: string, overrides: Array<[string, unknown]> = []) {
  return resolveConfig({
    preset: 'sudoku-4x4',
    overrides: [
      ['data_paths', [dir]],
      ['build_data.train_puzzles', 40],
      ['build_data.test_puzzles', 8],
      ...overrides,
    ],
  });
}

describe('ensureDataset', () => {
  it('builds once, records the settings, and refuses a folder built otherwise', () => {
    const dir = join(root, 'sudoku');
    expect(ensureDataset(config(dir))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'build.json'), 'utf8'))).toMatchObject({
      kind: 'sudoku',
      train_puzzles: 40,
      test_puzzles: 8,
    });
    expect(ensureDataset(config(dir))).toBe(false);
    const other = () => ensureDataset(config(dir, [['build_data.seed', 2]]));
    expect(other).toThrow(ConfigError);
    expect(other).toThrow(
      `dataset ${dir}: not built with this config's build_data (seed: 1 there, 2 wanted); remove the folder`,
    );
    // Without build_data the folder is taken as it is.
    expect(ensureDataset(config(dir, [['build_data', null]]))).toBe(false);
  });

  it('builds mazes by the maze settings, and names a path the board cannot hold', () => {
    const dir = join(root, 'maze');
    const maze = (overrides: Array<[string, unknown]> = []) =>
      resolveConfig({
        preset: 'maze-15x15',
        overrides: [
          ['data_paths', [dir]],
          ['build_data.size', 9],
          ['build_data.train_puzzles', 12],
          ['global_batch_size', 4],
          ['build_data.test_puzzles', 3],
          ['build_data.test_min_path', 8],
          ...overrides,
        ],
      });
    expect(ensureDataset(maze())).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'build.json'), 'utf8'))).toMatchObject({
      kind: 'maze',
      size: 9,
      min_path: 1,
      test_min_path: 8,
      loop_fraction: 0,
    });
    expect(ensureDataset(maze())).toBe(false);
    expect(() => ensureDataset(maze([['build_data.loop_fraction', 0.1]]))).toThrow(
      "not built with this config's build_data (loop_fraction: 0 there, 0.1 wanted)",
    );
    const far = () =>
      ensureDataset(
        maze([
          ['data_paths', [join(root, 'far')]],
          ['build_data.test_min_path', 400],
        ]),
      );
    expect(far).toThrow(ConfigError);
    expect(far).toThrow(
      /^config key "build_data": generateMaze: found no start and goal 400 steps apart/,
    );
  });

  it('refuses a generated Sudoku too large to build in memory, before building', () => {
    const dir = join(root, 'huge');
    expect(() => ensureDataset(config(dir, [['build_data.train_puzzles', 1e9]]))).toThrow(
      /^config key "build_data": 1000000000 training puzzles × \d+ copies need about [\d.]+ GB in memory/,
    );
    expect(existsSync(dir)).toBe(false);
  });

  it('names givens that the board cannot have', () => {
    const dir = join(root, 'never');
    expect(() => ensureDataset(config(dir, [['build_data.min_givens', 17]]))).toThrow(
      'config key "build_data.min_givens" must be an integer in 0..16 for 4×4, got 17',
    );
    expect(() =>
      ensureDataset(
        config(dir, [
          ['build_data.min_givens', 0],
          ['build_data.max_givens', 3],
        ]),
      ),
    ).toThrow(
      'config key "build_data.max_givens" 3: a 4×4 Sudoku with one solution has at least 4 givens',
    );
  });
});
