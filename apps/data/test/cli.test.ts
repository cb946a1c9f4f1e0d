import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './harness.js';

const tmp = mkdtempSync(join(tmpdir(), 'rrm-data-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const shared = fileURLToPath(new URL('../../../../shared/arc/tasks-dir-sample', import.meta.url));
if (!existsSync(shared)) console.warn(`skipping ARC CLI test: ${shared} not found`);

describe('rrm-data', () => {
  it('builds a Sudoku dataset and inspects it as JSON (a bare -- is ignored)', async () => {
    const dir = join(tmp, 'sudoku');
    const built = await cli(
      '--',
      'build',
      'sudoku',
      '--size',
      '6x6',
      '--train',
      '8',
      '--test',
      '3',
      '--num-aug',
      '2',
      '--out',
      dir,
    );
    expect(built.code).toBe(0);
    expect(built.out).toContain(
      'train: 8 groups, 8 puzzles, 24 examples; test: 3 groups, 3 puzzles, 3 examples',
    );
    expect(built.err).toMatch(/built in [\d.]+ s, peak memory \d+ MB/);
    const { code, out } = await cli('inspect', dir, '--json');
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.train).toMatchObject({
      seq_len: 36,
      vocab_size: 8,
      total_groups: 8,
      total_puzzles: 8,
    });
    expect(report.test.arrays.all__inputs).toEqual({ dtype: 'uint8', shape: [3, 36] });
    expect(report.train.arrays.all__group_indices).toEqual({ dtype: 'int32', shape: [9] });
    const drawn = await cli('inspect', dir, '--examples', '1');
    expect(drawn.out).toMatch(/input:\n[1-6. |]+\n/);
  });

  it('builds mazes', async () => {
    const dir = join(tmp, 'maze');
    const { code, out } = await cli(
      'build',
      'maze',
      '--size',
      '11',
      '--train',
      '3',
      '--test',
      '1',
      '--aug',
      '--out',
      dir,
    );
    expect(code).toBe(0);
    expect(out).toContain('train: 3 groups, 3 puzzles, 24 examples');
  });

  it.skipIf(!existsSync(shared))('builds ARC from a tasks folder', async () => {
    const dir = join(tmp, 'arc');
    const { code, out } = await cli(
      'build',
      'arc',
      '--tasks-dir',
      shared,
      '--num-aug',
      '2',
      '--seed',
      '1',
      '--out',
      dir,
    );
    expect(code).toBe(0);
    expect(out).toContain('5 tasks, 16 puzzle identifiers');
    const report = JSON.parse((await cli('inspect', dir, '--json')).out);
    expect(report.test_puzzles).toBe(true);
    expect(report.test).toMatchObject({ seq_len: 900, vocab_size: 12, total_groups: 5 });
  });

  it.skipIf(!existsSync(shared))(
    'builds ARC on a 10x10 canvas from the tasks that fit, and records the settings',
    async () => {
      const dir = join(tmp, 'arc-10');
      const argv = ['build', 'arc', '--tasks-dir', shared, '--num-aug', '2', '--canvas', '10'];
      const refused = await cli(...argv, '--out', dir);
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(
        /tasks-dir-sample\/009d5c81, train example 0 input: the 14x14 grid does not fit the 10x10 canvas/,
      );
      expect(existsSync(dir)).toBe(false);
      const { code, out } = await cli(...argv, '--only-fitting', '--out', dir);
      expect(code).toBe(0);
      expect(out).toContain('kept 2 of 5 tasks-dir-sample tasks (every grid fits 10x10)');
      expect(out).toContain('wrote');
      expect(out).toContain(': 2 tasks,');
      const report = JSON.parse((await cli('inspect', dir, '--json')).out);
      expect(report.test).toMatchObject({ seq_len: 100, vocab_size: 12, total_groups: 2 });
      expect(report.train.arrays.all__inputs.shape[1]).toBe(100);
      expect(JSON.parse(readFileSync(join(dir, 'build.json'), 'utf8'))).toMatchObject({
        kind: 'arc',
        tasks_dirs: [shared],
        canvas: 10,
        only_fitting: true,
        num_aug: 2,
      });
      // Drawn as ARC grids (rows of at most 10 colours), not as one row of 100 raw tokens.
      const drawn = await cli('inspect', dir, '--examples', '1');
      expect(drawn.out).toMatch(/input:\n(([0-9] ){0,9}[0-9]\n)+label:\n(([0-9] ){0,9}[0-9]\n)+$/);
    },
  );

  it('answers bad input with one clear line and a non-zero code, never a stack trace', async () => {
    const bad = join(tmp, 'bad-tasks');
    mkdirSync(bad);
    writeFileSync(
      join(bad, 'abc.json'),
      JSON.stringify({
        train: [{ input: [[1, 2], [3]], output: [[1]] }],
        test: [{ input: [[1]], output: [[1]] }],
      }),
    );
    const cases: Array<[string[], number, RegExp]> = [
      [
        ['build', 'arc', '--tasks-dir', bad, '--out', join(tmp, 'x')],
        1,
        /abc.json: task abc, train example 0 input: grid is not rectangular/,
      ],
      [
        ['build', 'arc', '--input-prefix', join(tmp, 'none'), '--out', join(tmp, 'x')],
        1,
        /none_training_challenges.json: file not found/,
      ],
      [
        ['build', 'sudoku', '--csv-train', join(tmp, 'missing.csv'), '--out', join(tmp, 'x')],
        2,
        /missing.csv: file not found/,
      ],
      [
        ['build', 'sudoku', '--train', '-3', '--out', join(tmp, 'x')],
        2,
        /--train must be an integer >= 0, got "-3"/,
      ],
      [
        ['build', 'sudoku', '--test', '0', '--out', join(tmp, 'x')],
        2,
        /--test must be an integer >= 1, got "0"/,
      ],
      [
        ['build', 'sudoku', '--train', '1e9', '--out', join(tmp, 'x')],
        2,
        /--train 1000000000 --test 100: 1000000100 puzzles of 81 tokens need about \d+ GB in memory, more than half of this machine's/,
      ],
      [
        ['build', 'sudoku', '--train', '1e7', '--num-aug', '100000', '--out', join(tmp, 'x')],
        2,
        /--train 10000000 --test 100: 1000010000100 examples of 81 tokens need about \d+ GB on disk, more than the [\d.]+ GB free for /,
      ],
      [
        ['build', 'maze', '--train', '1e9', '--aug', '--out', join(tmp, 'x')],
        2,
        /8000000100 examples of 900 tokens need about \d+ GB on disk, more than the [\d.]+ GB free for /,
      ],
      [
        [
          'build',
          'maze',
          '--size',
          '9',
          '--min-path',
          '400',
          '--train',
          '1',
          '--out',
          join(tmp, 'x'),
        ],
        1,
        /lower minPathLength/,
      ],
      [['inspect', join(tmp, 'sudoku', 'train')], 1, /dataset.json: file not found/],
      [
        ['build', 'maze', '--test-min-path', '0', '--out', join(tmp, 'x')],
        2,
        /--test-min-path must be an integer >= 1, got "0"/,
      ],
      [['build', 'arc', '--seed'], 2, /--seed needs a value/],
      [
        ['build', 'arc', '--tasks-dir', bad, '--canvas', '31', '--out', join(tmp, 'x')],
        2,
        /--canvas must be an integer in 1..30, got "31"/,
      ],
      [
        ['build', 'arc', '--tasks-dir', bad, '--canvas', '0', '--out', join(tmp, 'x')],
        2,
        /--canvas must be an integer >= 1, got "0"/,
      ],
      [['explode'], 2, /unknown command "explode"/],
    ];
    for (const [argv, code, message] of cases) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(code);
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
    // Refused before anything was generated or written.
    expect(existsSync(join(tmp, 'x'))).toBe(false);
  });
});
