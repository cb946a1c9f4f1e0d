import '@tensorflow/tfjs-backend-cpu';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expectFlatTensorCount } from '@rrm/layers';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestCheckpoint, loadModel, type TrainResult } from '../src/index.js';
import { openTrainer, tempDir, tinyConfig, tinyHrmConfig } from './fixture.js';

const root = tempDir('loop');
const data = join(root, 'data');
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function trainLosses(outDir: string): number[] {
  return readFileSync(join(outDir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((r) => 'train/loss' in r)
    .map((r) => r['train/loss']);
}

describe('Trainer', () => {
  let uninterrupted: TrainResult;
  const outA = join(root, 'a');

  it('builds the dataset on first use, trains, evaluates and writes the run folder', async () => {
    const t = await openTrainer({ config: tinyConfig(data), outDir: outA });
    expect(existsSync(join(data, 'train', 'dataset.json'))).toBe(true);
    expect(t.totalSteps).toBe(8); // 2 epochs × 32 groups / batch 8
    uninterrupted = await t.run();
    t.dispose();
    expect(uninterrupted.status).toBe('completed');
    expect(uninterrupted.step).toBe(8);
    const losses = trainLosses(outA);
    expect(losses).toHaveLength(8);
    expect(losses.every(Number.isFinite)).toBe(true);
    const final = uninterrupted.final!.sets.all;
    expect(final.count).toBe(6);
    expect(final.by_step.map((s) => s.step)).toEqual([1, 2, 3]);
    const summary = JSON.parse(readFileSync(join(outA, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ status: 'completed', step: 8, total_steps: 8, backend: 'cpu' });
    expect(summary.final.sets.all.exact_accuracy).toBe(final.exact_accuracy);
    expect(readFileSync(join(outA, 'metrics.csv'), 'utf8').split('\n')[0]).toContain('train/loss');
    // keep_checkpoints 2: steps 6 and 8 remain.
    expect(latestCheckpoint(join(outA, 'checkpoints'))!.step).toBe(8);
    // The model files alone rebuild the model the final evaluation used.
    const { model, config } = loadModel(latestCheckpoint(join(outA, 'checkpoints'))!.dir);
    expect(config.arch).toMatchObject({ seq_len: 16, vocab_size: 6, hidden_size: 16 });
    model.dispose();
  });

  it('resumes exactly: the loss sequence equals the uninterrupted run', async () => {
    const outB = join(root, 'b');
    const stop = new AbortController();
    const first = await openTrainer({ config: tinyConfig(data), outDir: outB });
    const stopped = await first.run({
      signal: stop.signal,
      onStep: (s) => s === 4 && stop.abort(),
    });
    first.dispose();
    expect(stopped.status).toBe('stopped');
    expect(stopped.checkpoint!.step).toBe(4);
    await expect(openTrainer({ config: tinyConfig(data), outDir: outB })).rejects.toThrow(
      'pass --resume',
    );
    const second = await openTrainer({ config: tinyConfig(data), outDir: outB, resume: true });
    expect(second.step).toBe(4);
    const resumed = await second.run();
    second.dispose();
    expect(resumed.status).toBe('completed');
    expect(trainLosses(outB)).toEqual(trainLosses(outA));
    expect(resumed.final!.sets).toEqual(uninterrupted.final!.sets);
  });

  it('stops on a non-finite loss and keeps the last checkpoint whose weights gave a finite loss', async () => {
    const outC = join(root, 'c');
    const t = await openTrainer({
      config: tinyConfig(data, [['checkpoint_every', 1]]),
      outDir: outC,
    });
    const result = await t.run({
      onStep: (s) => {
        // Weights that overflow the logits, saved in step 3's checkpoint: step 4's loss is
        // not finite, so checkpoint 3 is not good; step 2's is.
        if (s === 3) {
          const [, w] = t.model.namedParameters().find(([n]) => n.includes('lm_head'))!;
          w.assign(tf.fill(w.shape, 3e38));
        }
      },
    });
    t.dispose();
    expect(result.status).toBe('nan');
    expect(result.message).toMatch(
      /^loss is (NaN|Infinity) at step 4; stopped, last good checkpoint: step 2 \(.*step_00000002\), whose weights and loss were finite; the checkpoint of step 3, whose weights gave it, moved to .*nonfinite_step_00000003$/,
    );
    expect(result.checkpoint!.step).toBe(2);
    expect(JSON.parse(readFileSync(join(outC, 'summary.json'), 'utf8')).status).toBe('nan');
    const { model } = loadModel(result.checkpoint!.dir);
    for (const v of model.parameters())
      expect(v.dataSync().every((x) => Math.abs(x) < 1e3)).toBe(true);
    model.dispose();
    // Resuming continues from the good checkpoint, not the one moved aside.
    const again = await openTrainer({
      config: tinyConfig(data, [['checkpoint_every', 1]]),
      outDir: outC,
      resume: true,
    });
    expect(again.step).toBe(2);
    again.dispose();
  });

  it('stops when an update leaves a weight non-finite, naming the weight and the step', async () => {
    const t = await openTrainer({
      config: tinyConfig(data, [['lr', 3e38]]),
      outDir: join(root, 'c2'),
    });
    const result = await t.run();
    t.dispose();
    expect(result.status).toBe('nan');
    expect(result.message).toMatch(
      /^weight ".+" is not finite after the update of step 1; stopped, no checkpoint was written yet$/,
    );
    expect(result.checkpoint).toBeNull();
  });

  it('keeps live tensors flat over training steps and evaluations', async () => {
    const t = await openTrainer({ config: tinyConfig(data), outDir: join(root, 'd') });
    await expectFlatTensorCount(async () => {
      await t.trainStep();
    }, 4);
    await expectFlatTensorCount(async () => {
      await t.evaluate();
    }, 2);
    await expectFlatTensorCount(async () => {
      await t.save();
    }, 2);
    t.dispose();
  });

  it('trains HRM, whose Q-learning halting adds a q_continue loss', async () => {
    const outF = join(root, 'f');
    const t = await openTrainer({ config: tinyHrmConfig(data), outDir: outF });
    expect(t.totalSteps).toBe(4);
    const result = await t.run();
    t.dispose();
    expect(result.status).toBe('completed');
    const records = readFileSync(join(outF, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const qContinue = records
      .filter((r) => 'train/q_continue_loss' in r)
      .map((r) => r['train/q_continue_loss']);
    expect(qContinue).toHaveLength(4);
    expect(qContinue.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    expect(loadModel(result.checkpoint!.dir).config.model).toBe('hrm');
  });

  it('refuses to resume a run folder without checkpoints', async () => {
    await expect(
      openTrainer({ config: tinyConfig(data), outDir: join(root, 'e'), resume: true }),
    ).rejects.toThrow('no checkpoint to resume from');
  });
});
