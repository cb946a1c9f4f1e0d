import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { withoutGradient } from '../src/no-grad';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('withoutGradient', () => {
  it('treats its result as a constant inside a gradient computation', () => {
    const w = tf.variable(tf.tensor1d([1, 2, 3]));
    const { value, grads } = tf.variableGrads(() => {
      const y = tf.mul(w, 2); // dy/dw = 2
      // Would add 3 * w to the gradient if it were differentiated; argMax/equal have
      // no gradient at all and would abort the backward pass.
      const c = withoutGradient(() =>
        tf.add(tf.mul(w, 3), tf.cast(tf.equal(tf.argMax(w), 2), 'float32')),
      );
      return tf.sum(tf.mul(y, c));
    });
    // c = 3w + 1 = [4, 7, 10]; loss = sum(2w * c) = 8 + 28 + 60
    expect(value.dataSync()[0]).toBeCloseTo(96);
    expect(Array.from(grads[w.name].dataSync())).toEqual([8, 14, 20]);
    tf.dispose([value, grads[w.name], w]);
  });

  it('leaves no tensors behind', () => {
    const x = tf.tensor1d([1, 2]);
    const before = tf.memory().numTensors;
    const y = withoutGradient(() => tf.square(tf.add(x, 1)));
    expect(Array.from(y.dataSync())).toEqual([4, 9]);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
