import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gridFromRows } from '@rrm/puzzles';
import { Rng } from '@rrm/random';
import { describe, expect, it } from 'vitest';
import {
  ARC_SEQ_LEN,
  ArcEvaluator,
  applyAugmentation,
  encodeArcGrid,
  planArcDataset,
  type TestPuzzlesJson,
  taskToJson,
} from '../src/index.js';
import {
  loadArcSubset,
  readTestPuzzles,
  testPuzzlesFromSplit,
  writeSubmission,
} from '../src/node.js';
import { sharedPath } from './shared.js';

const kaggle = sharedPath('arc/kaggle');
// RRM_ARC_FULL_AUG=1000 runs the full check (slow); the suite uses fewer variants.
const NUM_AUG = Number(process.env.RRM_ARC_FULL_AUG ?? 8);

/** Feed rows to the evaluator in batches of `size`, padding the last one with blank identifiers. */
function feed(
  evaluator: ArcEvaluator,
  rows: Array<{ id: number; input: Uint8Array; pred: Uint8Array; q: number }>,
  size = 256,
): void {
  for (let s = 0; s < rows.length; s += size) {
    const inputs = new Int32Array(size * ARC_SEQ_LEN);
    const preds = new Int32Array(size * ARC_SEQ_LEN);
    const ids = new Int32Array(size);
    const q = new Float32Array(size);
    rows.slice(s, s + size).forEach((r, b) => {
      inputs.set(r.input, b * ARC_SEQ_LEN);
      preds.set(r.pred, b * ARC_SEQ_LEN);
      ids[b] = r.id;
      q[b] = r.q;
    });
    evaluator.update({ inputs, preds, puzzleIdentifiers: ids, qHaltLogits: q });
  }
}

describe.skipIf(kaggle.missing)('ARC evaluator on ARC-AGI-1 evaluation', () => {
  it(`scores pass@1 = 1.0 given the true answer for every augmented variant (${NUM_AUG} augmentations)`, () => {
    const evaluation = loadArcSubset(`${kaggle.path}/arc-agi`, 'evaluation', {
      requireSolutions: true,
    });
    const plan = planArcDataset([evaluation], {
      testSets: ['evaluation'],
      numAug: NUM_AUG,
      seed: 1,
    });
    const evaluator = new ArcEvaluator({
      identifiers: plan.identifiers,
      testPuzzles: Object.fromEntries(plan.testTasks.map((t) => [t.id, taskToJson(t)])),
    });
    const rng = new Rng(2);
    let rows: Array<{ id: number; input: Uint8Array; pred: Uint8Array; q: number }> = [];
    let count = 0;
    for (const group of plan.test) {
      for (const puzzle of group) {
        for (const pair of puzzle.pairs) {
          rows.push({
            id: puzzle.identifier,
            input: encodeArcGrid(applyAugmentation(pair.input, puzzle.augmentation)),
            pred: encodeArcGrid(applyAugmentation(pair.output!, puzzle.augmentation)),
            q: rng.normal(),
          });
          count++;
        }
      }
      if (rows.length > 4096) {
        feed(evaluator, rows);
        rows = [];
      }
    }
    feed(evaluator, rows);
    const { metrics, submission, missing } = evaluator.result();
    console.log(
      `ARC-AGI-1 evaluation: ${count} predictions over ${plan.testTasks.length} tasks, ${NUM_AUG} augmentations: ${JSON.stringify(metrics)}`,
    );
    expect(missing).toEqual([]);
    expect(metrics['ARC/pass@1']).toBe(1);
    expect(metrics['ARC/pass@1000']).toBe(1);
    expect(Object.keys(submission).length).toBe(400);
    const first = plan.testTasks[0];
    expect(submission[first.id][0].attempt_1).toEqual(taskToJson(first).test[0].output);
    const path = join(mkdtempSync(join(tmpdir(), 'rrm-sub-')), 'submission.json');
    writeSubmission(path, submission);
    expect(JSON.parse(readFileSync(path, 'utf8'))[first.id][0].attempt_2).toEqual(
      submission[first.id][0].attempt_2,
    );
    rmSync(path);
  });
});

describe('ARC voting', () => {
  const task = {
    train: [{ input: [[1]], output: [[1]] }],
    test: [{ input: [[1, 2]], output: [[3]] }],
  };
  const identifiers = ['<blank>', 't', 't|||t1|||0234567891', 't|||t0|||0123456789'];
  const row = (id: number, input: number[][], pred: number[][], q = 0) => ({
    id,
    input: encodeArcGrid(gridFromRows(input)),
    pred: encodeArcGrid(gridFromRows(pred)),
    q,
  });

  it('ranks by votes, then by mean confidence, after mapping predictions back', () => {
    const evaluator = new ArcEvaluator({ identifiers, testPuzzles: { t: task } });
    // Variant 2 is rot90 with colours +1: the input [[1, 2]] becomes [[3], [2]] and the answer [[3]] becomes [[4]].
    feed(evaluator, [
      row(1, [[1, 2]], [[5]], 3),
      row(1, [[1, 2]], [[5]], 3),
      row(2, [[3], [2]], [[4]], 5),
      row(3, [[1, 2]], [[3]], -5),
    ]);
    const { metrics, submission } = evaluator.result();
    expect(metrics['ARC/pass@1']).toBe(0);
    expect(metrics['ARC/pass@2']).toBe(1);
    expect(submission.t[0]).toEqual({ attempt_1: [[5]], attempt_2: [[3]] });
  });

  it('breaks a tie in votes by confidence and repeats a lone candidate', () => {
    const evaluator = new ArcEvaluator({ identifiers, testPuzzles: { t: task } });
    feed(evaluator, [row(1, [[1, 2]], [[7]], -1), row(3, [[1, 2]], [[3]], 2)]);
    expect(evaluator.result().metrics['ARC/pass@1']).toBe(1);
    const lone = new ArcEvaluator({ identifiers, testPuzzles: { t: task } });
    feed(lone, [row(1, [[1, 2]], [[7]])]);
    expect(lone.result().submission.t[0]).toEqual({ attempt_1: [[7]], attempt_2: [[7]] });
  });

  it('reports test inputs without predictions and unknown identifiers', () => {
    const evaluator = new ArcEvaluator({ identifiers, testPuzzles: { t: task } });
    expect(evaluator.result()).toMatchObject({
      missing: ['t test 0'],
      submission: { t: [{ attempt_1: [[0]] }] },
    });
    expect(() => feed(evaluator, [row(9, [[1]], [[1]])])).toThrow(
      /identifier 9 is not in identifiers.json/,
    );
  });
});

describe('data without test_puzzles.json (as the HRM repository builds it)', () => {
  const mini = sharedPath('arc/official-layout-mini');
  it.skipIf(mini.missing)('takes the same test puzzles from the test split', () => {
    const byTask = (t: TestPuzzlesJson) =>
      Object.fromEntries(
        Object.entries(t)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([id, task]) => [id, task.test.map((p) => ({ input: p.input, output: p.output }))]),
      );
    const fromSplit = testPuzzlesFromSplit(mini.path);
    expect(Object.keys(fromSplit)).toHaveLength(6);
    expect(byTask(fromSplit)).toEqual(byTask(readTestPuzzles(mini.path)));
  });
});
