// Run from the repo root: pnpm exec tsx --conditions=source packages/trainer/examples/train.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '@rrm/backend';
import { loadModel, openRunFolder, openTrainingData, resolveConfig, Trainer } from '@rrm/trainer';

await selectBackend('auto'); // native here: a step of the default preset takes 0.1 s, not 10
const dir = mkdtempSync(join(tmpdir(), 'rrm-trainer-example-'));
// The default small preset (TRM on generated Sudoku), shrunk to a quick look: 4x4 puzzles,
// a narrower network, 20 steps.
const config = resolveConfig({
  preset: 'sudoku-small',
  overrides: [
    ['data_paths', [join(dir, 'data')]],
    ['build_data.box_rows', 2],
    ['build_data.box_cols', 2],
    ['build_data.train_puzzles', 200],
    ['build_data.test_puzzles', 20],
    ['arch.hidden_size', 32],
    ['max_steps', 20],
  ],
});
// The run folder (locked for this process), then the data (built on first use), then the loop.
const run = openRunFolder(join(dir, 'run'));
const data = openTrainingData(config, { log: console.log });
const trainer = await Trainer.open({ config, run, data, log: console.log });
const result = await trainer.run({
  onStep: (step, m) => {
    if (step % 5 === 0) console.log(step, m['train/loss']);
  },
});
trainer.dispose();
console.log(result.status, result.final?.sets.all.exact_accuracy);

// The checkpoint alone rebuilds the model.
const { model } = loadModel(result.checkpoint!.dir);
model.dispose();
rmSync(dir, { recursive: true });
