import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, it } from 'vitest';
// The shared damage generator of the parsers' property tests.
import { mutatedText, PROPERTY_RUNS, readsOrNames } from '../../puzzles/test/mutate.js';
import { ArcDataError } from '../src/index.js';
import { loadArcSubset, loadArcTasksDir } from '../src/node.js';

const tmp = mkdtempSync(join(tmpdir(), 'rrm-arc-properties-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const task = {
  train: [
    {
      input: [
        [1, 2],
        [3, 4],
      ],
      output: [
        [4, 3],
        [2, 1],
      ],
    },
    { input: [[0]], output: [[9]] },
  ],
  test: [{ input: [[5, 6]], output: [[6, 5]] }],
};

describe('ARC JSON on damaged input: a correct read or a named error', () => {
  it('one-task-per-file folders', () => {
    const dir = join(tmp, 'tasks');
    mkdirSync(dir);
    fc.assert(
      fc.property(mutatedText(JSON.stringify(task)), (text) => {
        writeFileSync(join(dir, 'abc.json'), text);
        return readsOrNames(() => loadArcTasksDir(dir), [ArcDataError]);
      }),
      PROPERTY_RUNS,
    );
  });

  it('challenges and solutions files', () => {
    const prefix = join(tmp, 'arc');
    const { test, ...rest } = task;
    const challenges = JSON.stringify({
      t1: { ...rest, test: test.map(({ input }) => ({ input })) },
    });
    const solutions = JSON.stringify({ t1: test.map(({ output }) => output) });
    const damaged = fc.oneof(
      fc.tuple(mutatedText(challenges), fc.constant(solutions)),
      fc.tuple(fc.constant(challenges), mutatedText(solutions)),
    );
    fc.assert(
      fc.property(damaged, ([c, s]) => {
        writeFileSync(`${prefix}_x_challenges.json`, c);
        writeFileSync(`${prefix}_x_solutions.json`, s);
        return readsOrNames(
          () => loadArcSubset(prefix, 'x', { requireSolutions: true }),
          [ArcDataError],
        );
      }),
      PROPERTY_RUNS,
    );
  });
});
