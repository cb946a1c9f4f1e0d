// The consumer test's TypeScript user of the packed packages: type-checked with node16
// resolution, run with plain Node, and bundled for browsers as an es2020 IIFE.
import { disposeCarry, disposeStep } from '@rrm/act';
import { selectBackend } from '@rrm/backend';
import { rmsNorm } from '@rrm/layers';
import { Rng } from '@rrm/random';
import { createTRM } from '@rrm/trm';
import * as tf from '@tensorflow/tfjs-core';

// No top-level await: the browser bundle targets es2020.
async function main(): Promise<void> {
  const backend: string = await selectBackend('auto');
  const model = createTRM(
    {
      batch_size: 1,
      seq_len: 4,
      vocab_size: 5,
      num_puzzle_identifiers: 2,
      puzzle_emb_ndim: 8,
      puzzle_emb_len: 1,
      H_cycles: 1,
      L_cycles: 1,
      L_layers: 1,
      hidden_size: 8,
      expansion: 2,
      num_heads: 2,
      pos_encodings: 'rope',
      halt_max_steps: 2,
      halt_exploration_prob: 0,
    },
    { seed: new Rng(0).int(100) },
  );
  const batch = {
    inputs: tf.tensor2d([[1, 2, 3, 4]], undefined, 'int32'),
    labels: tf.tensor2d([[2, 3, 4, 1]], undefined, 'int32'),
    puzzle_identifiers: tf.tensor1d([1], 'int32'),
  };
  const carry = model.initialCarry(1);
  const step = model.step(carry, batch, { train: false });
  const norm = rmsNorm(step.outputs.logits);
  console.log(JSON.stringify({ backend, logits: step.outputs.logits.shape, norm: norm.shape }));
  tf.dispose([norm, ...Object.values(batch)]);
  disposeStep(step);
  disposeCarry(step.carry);
  model.dispose();
}

// A rejection ends Node with status 1 (and shows in a browser console).
void main();
