import '@tensorflow/tfjs-backend-cpu';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type ActBatch, disposeCarry, disposeStep } from '@rrm/act';
import { selectBackend, webgpuUnavailable } from '@rrm/backend';
import { AdamATan2, expectFlatTensorCount } from '@rrm/layers';
import { Rng } from '@rrm/random';
import { createTRM } from '@rrm/trm';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { checkParity } from '../src/index';

// HRM and TRM on webgpu in Node (Dawn's webgpu package; in CI Mesa's software adapter).
// The kernels themselves are tested in @rrm/backend; here the models run on them.
const noAdapter = await webgpuUnavailable();

// The reference cases beside the repository; the two smallest keep CI short on a
// software adapter (all six: `pnpm parity --backend webgpu ../shared/parity/*`).
const casesDir = fileURLToPath(new URL('../../../../shared/parity', import.meta.url));
const SMALL_CASES = ['trm_edge_single_cycle', 'hrm_learned'];

describe.skipIf(noAdapter !== null)('HRM and TRM on webgpu', () => {
  test.skipIf(!existsSync(casesDir))(
    `parity with the reference on ${SMALL_CASES.join(', ')} (needs ${casesDir})`,
    async () => {
      await selectBackend('webgpu', { log: () => {}, asyncReads: true });
      for (const name of SMALL_CASES) {
        const report = await checkParity(`${casesDir}/${name}`);
        expect(report.backend).toBe('webgpu');
        expect(report.failures, name).toEqual([]);
      }
    },
  );

  /** 20 training steps of a small TRM (attention, RoPE, 2×2 cycles) from seed 3: losses. */
  async function train(backend: 'cpu' | 'webgpu'): Promise<number[]> {
    if (backend === 'cpu') await tf.setBackend('cpu');
    else await selectBackend('webgpu', { log: () => {}, asyncReads: true });
    const model = createTRM(
      {
        batch_size: 4,
        seq_len: 6,
        vocab_size: 5,
        num_puzzle_identifiers: 1,
        puzzle_emb_ndim: 0,
        H_cycles: 2,
        L_cycles: 2,
        L_layers: 1,
        hidden_size: 16,
        expansion: 2,
        num_heads: 2,
        pos_encodings: 'rope',
        halt_max_steps: 3,
        halt_exploration_prob: 0.1,
      },
      { seed: 3 },
    );
    const rng = new Rng(4);
    const tokens = (n: number) => Int32Array.from({ length: n }, () => 1 + rng.int(4));
    const batch: ActBatch = {
      inputs: tf.tensor2d(tokens(24), [4, 6], 'int32'),
      labels: tf.tensor2d(tokens(24), [4, 6], 'int32'),
      puzzle_identifiers: tf.zeros([4], 'int32'),
    };
    const opt = new AdamATan2({ lr: 3e-3, weightDecay: 0.1 });
    const losses: number[] = [];
    let carry = model.initialCarry(4);
    const step = async () => {
      const r = await model.stepWithGradsAsync(carry, batch);
      opt.step(model.parameters(), r.grads);
      losses.push(r.losses.loss);
      carry = r.carry;
      disposeStep(r);
    };
    // The first of the 20 steps (before the count) creates the optimiser's moments.
    await expectFlatTensorCount(step, 19);
    disposeCarry(carry);
    tf.dispose(Object.values(batch));
    model.dispose();
    return losses;
  }

  test('20 training steps agree with cpu (losses within 1e-4 relative), tensors flat', async () => {
    const want = await train('cpu');
    const got = await train('webgpu');
    expect(got).toHaveLength(20);
    for (const [k, w] of want.entries()) {
      expect(Math.abs(got[k] - w) / Math.abs(w), `step ${k + 1}: ${got[k]} vs ${w}`).toBeLessThan(
        1e-4,
      );
    }
  });
});

if (noAdapter !== null) {
  test.skip(`webgpu model checks need an adapter: ${noAdapter}`, () => {});
}
