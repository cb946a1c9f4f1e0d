// Run from the repo root: pnpm exec tsx --conditions=source packages/tfjs-backend-native/examples/quickstart.ts

import { registerNativeBackend } from '@rrm/tfjs-backend-native';
import * as tf from '@tensorflow/tfjs-core';

try {
  registerNativeBackend();
} catch (e) {
  // The message says why: addon not built (and the build's first error), or failed to load.
  console.error((e as Error).message);
  process.exit(1);
}
await tf.setBackend('native');

const x = tf.randomNormal([2592, 128], 0, 1, 'float32', 1);
const w = tf.randomNormal([128, 1024], 0, 0.05, 'float32', 2);
const t0 = performance.now();
const y = tf.tidy(() => {
  const [gate, up] = tf.split(tf.matMul(x, w), 2, -1); // SwiGLU's inner part
  return tf.sum(tf.mul(tf.mul(gate, tf.sigmoid(gate)), up));
});
console.log(
  `backend ${tf.getBackend()}: ${(await y.data())[0].toFixed(3)} in ${(performance.now() - t0).toFixed(1)} ms`,
);
tf.dispose([x, w, y]);
