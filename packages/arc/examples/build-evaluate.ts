// Run from the repo root: pnpm exec tsx --conditions=source packages/arc/examples/build-evaluate.ts
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arcEvaluatorForDataset, buildArcDataset, loadArcSubset } from '@rrm/arc/node';
import { testBatches } from '@rrm/puzzles';
import { readSplit } from '@rrm/puzzles/node';

const prefix = '../shared/arc/kaggle/arc-agi'; // the Kaggle files: <prefix>_<subset>_challenges.json
if (!existsSync(`${prefix}_evaluation_challenges.json`)) {
  console.log(`skipped: ${prefix}_evaluation_challenges.json not found`);
  process.exit(0);
}

// The evaluation subset as the test set, each task with up to 2 augmented variants.
const dir = mkdtempSync(join(tmpdir(), 'arc-aug-2-'));
const subsets = [loadArcSubset(prefix, 'evaluation')];
const plan = buildArcDataset(dir, subsets, { testSets: ['evaluation'], numAug: 2, seed: 42 });
console.log(plan.identifiers.length, 'puzzle identifiers;', plan.warnings.length, 'warnings');

// Every test batch votes; here the labels stand in for a model's predictions, so pass@1 is 1.
const evaluator = arcEvaluatorForDataset(dir);
const test = readSplit(dir, 'test');
for (const b of testBatches(test, 64)) {
  const preds = b.labels.map((t) => Math.max(t, 0)); // ignored (-100) cells as pad
  evaluator.update({ ...b, preds, qHaltLogits: new Float32Array(b.batchSize) });
}
test.close();
const { metrics, submission } = evaluator.result();
console.log(metrics['ARC/pass@1'], Object.keys(submission).length, 'tasks in the submission');
rmSync(dir, { recursive: true });
