/**
 * One-off check of a built ARC dataset (not part of the test suite): feed the test
 * split's true answers to the evaluator as predictions (expect pass@1 = 1.0), then
 * time the train sampler reading rows from disk.
 *   npx tsx --conditions=source packages/arc/scripts/check-built-dataset.ts DIR
 */
import { TrainSampler, testBatches } from '@rrm/puzzles';
import { readSplit } from '@rrm/puzzles/node';
import { arcEvaluatorForDataset } from '../src/node.js';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: check-built-dataset.ts DIR');
  process.exit(2);
}
const t0 = performance.now();
const test = readSplit(dir, 'test');
const evaluator = arcEvaluatorForDataset(dir);
let n = 0;
for (const b of testBatches(test, 768)) {
  // Label canvases as predictions; ignored positions (-100) read as non-colour when cropping.
  evaluator.update({
    inputs: b.inputs,
    preds: b.labels,
    puzzleIdentifiers: b.puzzleIdentifiers,
    qHaltLogits: new Float32Array(b.batchSize),
  });
  n += b.effectiveSize;
}
test.close();
const r = evaluator.result();
console.log(
  `${n} predictions, ${r.missing.length} test inputs without one: ${JSON.stringify(r.metrics)} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);
const train = readSplit(dir, 'train');
const sampler = new TrainSampler(train, { globalBatchSize: 768, seed: 0 });
const t1 = performance.now();
for (let i = 0; i < 50; i++) sampler.next();
console.log(
  `train sampler: ${((performance.now() - t1) / 50).toFixed(1)} ms per batch of 768; peak memory ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
);
train.close();
