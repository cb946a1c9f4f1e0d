import '@tensorflow/tfjs-backend-cpu';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expectFlatTensorCount } from '@rrm/layers';
import { generateSudokuDataset } from '@rrm/puzzles';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sudokuBuildOptions, TrainingLoop, totalSteps, withDatasetKeys } from '../src/browser.js';

import { openTrainer, tempDir, tinyConfig } from './fixture.js';

const root = tempDir('browser-loop');
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The fixture's config and its dataset generated in memory, as a worker without files has it. */
function inMemory() {
  const config = tinyConfig(join(root, 'data'));
  if (config.build_data?.kind !== 'sudoku') throw new Error('the fixture builds Sudoku');
  const data = generateSudokuDataset(sudokuBuildOptions(config.build_data));
  const cfg = withDatasetKeys(config, data.train.metadata);
  return { config, data, cfg, steps: totalSteps(cfg, data.train.metadata) };
}

const withoutTime = ({ time_s, ...rec }: Record<string, unknown>) => rec;

describe('TrainingLoop (no files)', () => {
  it('trains from data in memory exactly as Trainer does from the same data on disk', async () => {
    const { config, data, cfg, steps } = inMemory();
    const loop = new TrainingLoop(cfg, data.train, steps);
    const records = [];
    for (let i = 0; i < steps; i++) records.push(withoutTime(await loop.trainStep()));
    const final = await loop.evaluate(data.test);
    loop.dispose();

    const outDir = join(root, 'run');
    const trainer = await openTrainer({ config, outDir });
    const result = await trainer.run();
    trainer.dispose();
    const onDisk = readFileSync(join(outDir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((r) => 'train/loss' in r)
      .map(withoutTime);
    expect(records).toHaveLength(8);
    expect(records).toEqual(onDisk);
    expect(final.sets.all.exact_accuracy).toBe(result.final?.sets.all.exact_accuracy);
    expect(final.sets.all.by_step).toEqual(result.final?.sets.all.by_step);
  });

  // Halting off in training takes the other branch of the halting decision every step.
  it.each([true, false])(
    'keeps live tensors flat step after step and frees them all on dispose (halt_in_training %s)',
    async (halt_in_training) => {
      const { data, cfg } = inMemory();
      const before = tf.memory().numTensors;
      const arch = { ...cfg.arch, halt_in_training };
      const loop = new TrainingLoop({ ...cfg, arch }, data.train, 100);
      await expectFlatTensorCount(async () => {
        await loop.trainStep();
      }, 4);
      await expectFlatTensorCount(async () => {
        await loop.evaluate(data.test);
        (await loop.modelCheckpoint()).byteLength;
      }, 2);
      loop.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it('refuses a batch larger than the train split has groups, before making a tensor', () => {
    const { data, cfg } = inMemory();
    const before = tf.memory().numTensors;
    expect(() => new TrainingLoop({ ...cfg, global_batch_size: 33 }, data.train, 10)).toThrow(
      'config key "global_batch_size": 33 is more than the 32 puzzle groups of the train split',
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('counts training time only while its clock runs', async () => {
    const { data, cfg } = inMemory();
    const loop = new TrainingLoop(cfg, data.train, 10);
    loop.startClock();
    await loop.trainStep();
    loop.stopClock();
    const paused = loop.elapsedSeconds;
    expect(paused).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(loop.elapsedSeconds).toBe(paused);
    loop.startClock();
    expect((await loop.trainStep()).time_s).toBeGreaterThan(paused);
    expect(loop.step).toBe(2);
    loop.dispose();
  });
});
