// Run from the repo root: pnpm exec tsx --conditions=source packages/reasoning/examples/module.ts
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@rrm/random';
import { ConfigError, type ConfigSpec, ReasoningModule, validateFields } from '@rrm/reasoning';
import * as tf from '@tensorflow/tfjs-core';

await tf.setBackend('cpu');

// A raw config checked field by field; errors name the key at fault.
interface Blocks {
  hidden_size: number;
  num_heads: number;
  expansion: number;
  rms_norm_eps: number;
}
const spec: ConfigSpec<Blocks> = {
  hidden_size: { kind: 'int', min: 1 },
  num_heads: { kind: 'int', min: 1 },
  expansion: { kind: 'number', min: 0, exclusiveMin: true },
  rms_norm_eps: { kind: 'number', min: 0, exclusiveMin: true, default: 1e-5 },
};
try {
  validateFields({ hidden_size: 0, num_heads: 2, expansion: 2 }, spec, 'blocks config');
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  console.log(e.message); // blocks config key "hidden_size": expected an integer >= 1, got 0
}
const config = validateFields({ hidden_size: 8, num_heads: 2, expansion: 2 }, spec, 'blocks');

// A reasoning module (the reference's L_level): z ← blocks(z + injection).
const level = new ReasoningModule(2, config, new Rng(0));
console.log([...level.stateDict('L_level.').keys()]);
const z = tf.randomNormal([1, 4, 8]) as tf.Tensor3D;
const injection = tf.randomNormal([1, 4, 8]) as tf.Tensor3D;
const out = level.apply(z, injection, null); // no rotary tables: attention without positions
console.log(out.shape); // [1, 4, 8]
tf.dispose([z, injection, out]);
level.dispose();
