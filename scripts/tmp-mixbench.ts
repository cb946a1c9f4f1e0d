import { selectBackend } from '@rrm/backend';
import { SudokuMixing, TokenMixingMLP, sudokuGroupTable } from '@rrm/layers';
import { Rng } from '@rrm/random';
import * as tf from '@tensorflow/tfjs-core';

await selectBackend('native');
const [B, T, D] = [32, 81, 128];
const x = tf.randomNormal([B, T, D]);
const sm = new SudokuMixing(D, 3, 3, 0, { rng: new Rng(1) });
const tm = new TokenMixingMLP(T, 4, { rng: new Rng(2) });
const table3 = tf.tensor2d(sudokuGroupTable(3, 3, 0), [T, 4 * T]);
// alternative: one GEMM over B·D rows in the transposed layout
const alt = (x: tf.Tensor) => tf.tidy(() => {
  const slots = tf.reshape(sm.proj.apply(x), [B, 4 * T, D]);
  const st = tf.reshape(tf.transpose(slots, [1, 0, 2]), [4 * T, B * D]);
  const o = tf.transpose(tf.reshape(tf.matMul(table3, st), [T, B, D]), [1, 0, 2]);
  return tf.add(x, o);
});
function time(name: string, f: () => tf.Tensor, grad = false) {
  const run = () => {
    if (grad) {
      const g = tf.grads((a: tf.Tensor) => tf.sum(f.call(null, a) as tf.Tensor) as tf.Scalar);
      const r = g([x]);
      r.forEach((t) => t.dataSync());
      tf.dispose(r);
    } else {
      const r = f();
      r.dataSync();
      r.dispose();
    }
  };
  for (let i = 0; i < 3; i++) run();
  const t0 = performance.now();
  for (let i = 0; i < 20; i++) run();
  console.log(name, grad ? 'fwd+bwd' : 'fwd', ((performance.now() - t0) / 20).toFixed(2), 'ms');
}
time('sudoku_mix', () => sm.mix(x));
time('sudoku alt', () => alt(x));
time('mlp_t', () => tm.mix(x));
time('sudoku_mix', (a = x) => sm.mix(a), true);
time('sudoku alt', (a = x) => alt(a), true);
time('mlp_t', (a = x) => tm.mix(a), true);
