// Run from the repo root: pnpm exec tsx --conditions=source packages/checkpoint/examples/torch-roundtrip.ts
import '@tensorflow/tfjs-backend-cpu';
import {
  loadWeights,
  parseReferenceConfig,
  readWeights,
  referenceConfigYaml,
  saveTorchCheckpoint,
} from '@rrm/checkpoint';
import { createTRM } from '@rrm/trm';
import * as tf from '@tensorflow/tfjs-core';

await tf.setBackend('cpu');
const arch = {
  batch_size: 1,
  seq_len: 16,
  vocab_size: 6,
  num_puzzle_identifiers: 1,
  H_cycles: 2,
  L_cycles: 2,
  L_layers: 1,
  hidden_size: 16,
  num_heads: 2,
  expansion: 2,
  pos_encodings: 'learned',
  halt_max_steps: 2,
  halt_exploration_prob: 0,
};
const a = createTRM(arch, { seed: 1 });
const b = createTRM(arch, { seed: 2 });

// What `torch.save(model.state_dict(), "step_100")` of the compiled reference model holds.
const bytes = saveTorchCheckpoint(a, 'step_100');
const { format, tensors } = readWeights(bytes, 'step_100');
loadWeights(b, tensors, { source: 'step_100' });
const values = (m: typeof a) => [...m.stateDict().values()].map((v) => Array.from(v.dataSync()));
const same = JSON.stringify(values(a)) === JSON.stringify(values(b));
console.log(`${format}: ${tensors.size} tensors, ${bytes.byteLength} bytes, identical: ${same}`);

// all_config.yaml as the reference trainer reads it, and back.
const { batch_size, seq_len, vocab_size, num_puzzle_identifiers, ...refArch } = arch;
const yaml = referenceConfigYaml({
  model: 'trm',
  arch: refArch,
  loss_type: 'stablemax_cross_entropy',
  train: { lr: 1e-4, global_batch_size: 768 },
  evaluators: [],
});
console.log(yaml.split('\n')[1], '…', parseReferenceConfig(yaml).model);
a.dispose();
b.dispose();
