import * as tf from '@tensorflow/tfjs-core';
import { registerNativeBackend } from './src/index';

registerNativeBackend();
await tf.setBackend('native');
const a = tf.randomNormal([2592, 1024]);
function time(label: string, f: () => tf.Tensor | tf.Tensor[], n = 50) {
  for (let i = 0; i < 5; i++) tf.dispose(f());
  const r0 = process.resourceUsage();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) tf.dispose(f());
  const t = (performance.now() - t0) / n;
  const c = process.cpuUsage(c0);
  const r1 = process.resourceUsage();
  console.log(
    label.padEnd(12),
    (t * 1000).toFixed(0).padStart(8),
    'us wall',
    (c.user / n).toFixed(0).padStart(8),
    'us user',
    (c.system / n).toFixed(0).padStart(8),
    'us sys',
    ((r1.minorPageFault - r0.minorPageFault) / n).toFixed(0),
    'faults/op',
  );
}
time('split', () => tf.split(a, 2, -1));
time('mul', () => tf.mul(a, a));
time('sigmoid', () => tf.sigmoid(a));
time('transpose', () => tf.transpose(a));
