import { describe, expect, it } from 'vitest';
import { ArcDataError, parseCombined, parseGrid, parseTask } from '../src/index.js';
import { loadArcSubset, loadArcTasksDir } from '../src/node.js';
import { sharedPath } from './shared.js';

const kaggle = sharedPath('arc/kaggle');
const sample = sharedPath('arc/tasks-dir-sample');

describe('ARC task validation', () => {
  const opts = { file: 'f.json' };
  const task = (grid: unknown, withOutput = true) => ({
    train: [{ input: [[1]], output: [[2]] }],
    test: [withOutput ? { input: grid, output: [[1]] } : { input: grid }],
  });

  it('names file, task and example for each kind of bad grid', () => {
    expect(() => parseTask('abc', task([]), opts)).toThrow(
      /f.json: task abc, test example 0 input: grid is empty/,
    );
    expect(() => parseTask('abc', task([[1, 2], [3]]), opts)).toThrow(
      /test example 0 input: grid is not rectangular \(row 1 has 1 cells/,
    );
    expect(() => parseTask('abc', task([[1, 10]]), opts)).toThrow(
      /value 10 at row 0, column 1 is not a colour 0-9/,
    );
    expect(() => parseTask('abc', task([[1, -1]]), opts)).toThrow(/not a colour/);
    expect(() => parseTask('abc', task([[1.5]]), opts)).toThrow(/not a colour/);
    expect(() => parseTask('abc', task(Array.from({ length: 31 }, () => [0])), opts)).toThrow(
      /31 rows, at most 30/,
    );
    expect(() => parseTask('abc', task([new Array(31).fill(0)]), opts)).toThrow(
      /31 columns, at most 30/,
    );
    expect(() => parseTask('abc', task([[1]], false), opts)).toThrow(
      /f.json: task abc, test example 0: missing "output"/,
    );
    expect(() => parseTask('abc', { train: [], test: [] }, opts)).toThrow(
      /"train" must be a non-empty list/,
    );
    expect(() => parseGrid('x', 'here')).toThrow(ArcDataError);
  });

  it('allows a missing test output only when answers are not required', () => {
    const t = parseTask('abc', task([[1]], false), { file: 'f.json', requireTestOutputs: false });
    expect(t.test[0].output).toBeNull();
  });

  it('merges the combined challenges and solutions, checking counts', () => {
    const challenges = { t1: task([[3]], false) };
    const tasks = parseCombined(
      challenges,
      { t1: [[[4, 5]]] },
      { challengesFile: 'c.json', solutionsFile: 's.json' },
    );
    expect(tasks[0].test[0].output).toEqual({ rows: 1, cols: 2, data: Uint8Array.from([4, 5]) });
    expect(() =>
      parseCombined(challenges, { t1: [] }, { challengesFile: 'c.json', solutionsFile: 's.json' }),
    ).toThrow(/s.json: task t1: 0 solutions for 1 test inputs/);
    expect(() =>
      parseCombined(challenges, {}, { challengesFile: 'c.json', solutionsFile: 's.json' }),
    ).toThrow(/s.json: task t1: no solutions/);
    expect(() =>
      parseCombined(
        challenges,
        { t1: [[[4, 5]]], zz: [[[1]]] },
        { challengesFile: 'c.json', solutionsFile: 's.json' },
      ),
    ).toThrow(/s.json: task zz has solutions but is not in c.json/);
    expect(() =>
      parseCombined(challenges, null, { challengesFile: 'c.json', requireTestOutputs: true }),
    ).toThrow(/c.json: task t1, test example 0: missing "output"/);
  });
});

describe.skipIf(kaggle.missing || sample.missing)('ARC files in ../shared', () => {
  it('reads ARC-AGI-1 and ARC-AGI-2 in the combined format', () => {
    const training = loadArcSubset(`${kaggle.path}/arc-agi`, 'training', {
      requireSolutions: true,
    });
    const evaluation = loadArcSubset(`${kaggle.path}/arc-agi`, 'evaluation', {
      requireSolutions: true,
    });
    expect([training.tasks.length, evaluation.tasks.length]).toEqual([400, 400]);
    expect(evaluation.tasks.every((t) => t.test.every((p) => p.output !== null))).toBe(true);
    expect(loadArcSubset(`${kaggle.path}/arc-agi`, 'evaluation2').tasks.length).toBe(120);
    expect(() => loadArcSubset(`${kaggle.path}/arc-agi`, 'nope')).toThrow(
      /arc-agi_nope_challenges.json: file not found/,
    );
  });

  it('reads a folder of one-file-per-task JSON', () => {
    const subset = loadArcTasksDir(sample.path);
    expect(subset.tasks.map((t) => t.id)).toEqual([
      '00576224',
      '009d5c81',
      '00dbd492',
      '03560426',
      '05a7bcf2',
    ]);
    expect(subset.tasks[0].train[0].input.rows).toBe(2);
  });
});
