import * as tf from '@tensorflow/tfjs-core';
import { registerNativeBackend } from './src/index';

registerNativeBackend();
await tf.setBackend('native');
const a = tf.randomNormal([8, 81, 128]);
const b = tf.randomNormal([8, 81, 128]);
for (let i = 0; i < 2000; i++) tf.dispose(tf.mul(a, b));
