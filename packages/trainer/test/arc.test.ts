/**
 * The arc-mini preset end to end on a few small tasks: data built from task files on a
 * small canvas, puzzle embeddings trained, the held-out test inputs scored by the ARC
 * evaluator's votes.
 */
import '@tensorflow/tfjs-backend-cpu';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type ArcEvaluator, DEFAULT_PASS_KS } from '@rrm/arc';
import { arcEvaluatorForDataset } from '@rrm/arc/node';
import { expectFlatTensorCount } from '@rrm/layers';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/index.js';
import { openTrainer, TINY_TRM_ARCH, tempDir, writeArcTasks } from './fixture.js';

const root = tempDir('arc');
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function tinyArcConfig() {
  return resolveConfig({
    preset: 'arc-mini',
    overrides: [
      ['data_paths', [join(root, 'data')]],
      ['build_data.input_prefix', writeArcTasks(join(root, 'tasks'))],
      ['build_data.canvas', 4],
      ['build_data.num_aug', 3],
      ['global_batch_size', 8],
      ['max_steps', 4],
      ['lr_warmup_steps', 1],
      ['checkpoint_every', 0],
      ['arch', { ...TINY_TRM_ARCH, halt_max_steps: 2 }],
    ],
  });
}

describe('arc-mini', () => {
  it('trains with puzzle embeddings and scores the held-out test inputs by voting', async () => {
    const config = tinyArcConfig();
    let last: ArcEvaluator | null = null;
    const t = await openTrainer({
      config,
      outDir: join(root, 'run'),
      evaluators: {
        arc: (dir) => {
          last = arcEvaluatorForDataset(dir);
          return last;
        },
      },
    });
    // 4 evaluation tasks and 8 training tasks (big left out), each with 3 variants: 48 ids and the blank.
    expect(t.model.config).toMatchObject({
      seq_len: 16,
      vocab_size: 12,
      num_puzzle_identifiers: 49,
    });
    const result = await t.run();
    expect(result.status).toBe('completed');
    expect(result.step).toBe(4);
    const metrics = result.final!.metrics;
    expect(Object.keys(metrics).sort()).toEqual(DEFAULT_PASS_KS.map((k) => `ARC/pass@${k}`).sort());
    for (const v of Object.values(metrics)) expect(v >= 0 && v <= 1).toBe(true);
    // Every held-out test input got votes, read back from the 4x4 canvas.
    const votes = (last as ArcEvaluator | null)!.result();
    expect(votes.missing).toEqual([]);
    expect(Object.keys(votes.submission).sort()).toEqual(['t10', 't11', 't8', 't9']);
    // 4 test inputs × (1 + 3 variants), all on the 4x4 canvas.
    expect(result.final!.sets.all.count).toBe(16);
    await expectFlatTensorCount(async () => {
      await t.evaluate();
    }, 2);
    t.dispose();
  });
});
