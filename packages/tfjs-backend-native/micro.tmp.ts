import * as tf from '@tensorflow/tfjs-core';
import { registerNativeBackend } from './src/index';

registerNativeBackend();
await tf.setBackend(process.argv[2] ?? 'native');
const a = tf.randomNormal([32, 81, 512]);
const b = tf.randomNormal([32, 81, 512]);
const bb = tf.randomNormal([512]);
const w = tf.randomNormal([512, 1024]);
const a2 = tf.reshape(a, [2592, 512]);
function time(label: string, f: () => tf.Tensor | tf.Tensor[], n = 200) {
  for (let i = 0; i < 5; i++) tf.dispose(f());
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) tf.dispose(f());
  const t = (performance.now() - t0) / n;
  const c = process.cpuUsage(c0);
  console.log(
    label.padEnd(20),
    (t * 1000).toFixed(0).padStart(8),
    'us wall',
    ((c.user + c.system) / n).toFixed(0).padStart(8),
    'us cpu',
  );
}
time('mul', () => tf.mul(a, b));
time('add bcast', () => tf.add(a, bb));
time('sigmoid', () => tf.sigmoid(a));
time('matmul 648x128x1024', () => tf.matMul(a2, w), 50);
time('split', () => tf.split(tf.matMul(a2, w), 2, -1), 50);
time('transpose', () => tf.transpose(a, [0, 2, 1]));
time('sum axis0', () => tf.sum(a2, 0));
time('concat', () => tf.concat([a, b], -1));
