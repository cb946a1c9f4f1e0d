import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readMetadata } from '@rrm/puzzles/node';
import { ConfigError } from '@rrm/reasoning';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDataset, resolveConfig } from '../src/index.js';
import { tempDir, writeArcTasks } from './fixture.js';

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

  it('builds ARC from task files on a small canvas, records the settings, and refuses a folder built otherwise', () => {
    const prefix = writeArcTasks(join(root, 'arc-tasks'));
    const dir = join(root, 'arc');
    const arc = (overrides: Array<[string, unknown]> = []) =>
      resolveConfig({
        preset: 'arc-mini',
        overrides: [
          ['data_paths', [dir]],
          ['build_data.input_prefix', prefix],
          ['build_data.canvas', 3],
          ['build_data.num_aug', 2],
          ...overrides,
        ],
      });
    expect(ensureDataset(arc())).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'build.json'), 'utf8'))).toEqual({
      kind: 'arc',
      version: 1,
      input_prefix: prefix,
      subsets: ['training', 'evaluation'],
      test_sets: ['evaluation'],
      num_aug: 2,
      seed: 42,
      canvas: 3,
      only_fitting: true,
    });
    // `big` (a 5x5 answer) was left out: 8 + 4 groups, the 4 evaluation tasks held out.
    expect(readMetadata(dir, 'train')).toMatchObject({ seq_len: 9, total_groups: 12 });
    expect(readMetadata(dir, 'test')).toMatchObject({ seq_len: 9, total_groups: 4 });
    expect(Object.keys(JSON.parse(readFileSync(join(dir, 'test_puzzles.json'), 'utf8')))).toEqual(
      expect.arrayContaining(['t8', 't9', 't10', 't11']),
    );
    expect(ensureDataset(arc())).toBe(false);
    expect(() => ensureDataset(arc([['build_data.canvas', 5]]))).toThrow(
      `dataset ${dir}: not built with this config's build_data (canvas: 3 there, 5 wanted)`,
    );
    expect(() =>
      ensureDataset(arc([['build_data.subsets', ['training', 'evaluation', 'x']]])),
    ).toThrow('subsets: ["training","evaluation"] there, ["training","evaluation","x"] wanted');
    const refuse = (overrides: Array<[string, unknown]>) => () =>
      ensureDataset(arc([['data_paths', [join(root, 'arc-never')]], ...overrides]));
    expect(refuse([['build_data.only_fitting', false]])).toThrow(ConfigError);
    expect(refuse([['build_data.only_fitting', false]])).toThrow(
      'config key "build_data": training/big, test example 0 output: the 5x5 grid does not fit the 3x3 canvas',
    );
    expect(refuse([['build_data.canvas', 1]])).toThrow(
      'config key "build_data": subset "training": none of its 9 tasks fits the 1x1 canvas',
    );
    expect(refuse([['build_data.input_prefix', join(root, 'none')]])).toThrow(
      `config key "build_data": ${join(root, 'none')}_training_challenges.json: file not found`,
    );
    expect(existsSync(join(root, 'arc-never'))).toBe(false);
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
