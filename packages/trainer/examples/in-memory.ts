// Run from the repo root: pnpm exec tsx --conditions=source packages/trainer/examples/in-memory.ts
import { selectBackend } from '@rrm/backend';
import { generateSudokuDataset } from '@rrm/puzzles';
import {
  resolveConfig,
  sudokuBuildOptions,
  TrainingLoop,
  totalSteps,
  withDatasetKeys,
} from '@rrm/trainer/browser';

// What a browser worker does, in Node: no files anywhere. The 4x4 preset, its puzzles
// generated in memory, a narrower network and 10 steps (a browser picks webgpu or wasm).
await selectBackend('auto');
const config = resolveConfig({
  preset: 'sudoku-4x4',
  overrides: [
    ['arch.hidden_size', 32],
    ['max_steps', 10],
  ],
});
if (config.build_data?.kind !== 'sudoku') throw new Error('the preset builds Sudoku');
const data = generateSudokuDataset(sudokuBuildOptions(config.build_data));
const cfg = withDatasetKeys(config, data.train.metadata);
const loop = new TrainingLoop(cfg, data.train, totalSteps(cfg, data.train.metadata));
loop.startClock();
while (loop.step < loop.totalSteps) {
  const m = await loop.trainStep();
  console.log(m.step, m['train/loss']);
}
loop.stopClock();
const result = await loop.evaluate(data.test);
console.log(`${loop.elapsedSeconds.toFixed(1)} s`, result.sets.all.accuracy);
// model.safetensors as rrm-train writes it; with JSON.stringify(cfg) as config.json,
// rrm-eval and the demo load it.
console.log((await loop.modelCheckpoint()).byteLength, 'bytes');
loop.dispose();
