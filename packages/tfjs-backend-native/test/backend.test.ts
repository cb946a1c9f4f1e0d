import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyRotary, RotaryEmbedding } from '@rrm/layers';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { openAddon } from '../src/addon.js';
import {
  ATTENTION,
  ATTENTION_GRAD,
  type NativeBackend,
  RMS_NORM,
  registerNativeBackend,
  SWIGLU,
} from '../src/index.js';
import { BufferPool } from '../src/pool.js';
import { expectSameOnBoth, Inputs, tensor } from './compare.js';

const gen = new Inputs(17);

// A miniature of a TRM block: token embedding gather, rmsNorm, SwiGLU with a
// split, a token-mixing transpose, attention-style softmax, and a
// cross-entropy-like reduction.
function block(emb: tf.Tensor, wUp: tf.Tensor, wDown: tf.Tensor, ids: tf.Tensor): tf.Tensor {
  const x = tf.gather(emb, tf.reshape(ids, [-1])); // [B*S, H]
  const norm = tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), 1e-5)));
  const [gate, up] = tf.split(tf.matMul(norm, wUp), 2, -1);
  const h = tf.matMul(tf.mul(tf.mul(gate, tf.sigmoid(gate)), up), wDown);
  const mixed = tf.transpose(tf.reshape(tf.add(x, h), [...ids.shape, -1]), [0, 2, 1]); // [B, H, S]
  const scores = tf.softmax(tf.matMul(mixed, mixed, true, false)); // [B, S, S]
  const logits = tf.matMul(scores, tf.transpose(mixed, [0, 2, 1]));
  return tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(ids, 6, 1, 0, 'float32')));
}

describe('gradients', () => {
  it('match the cpu backend through a TRM-like block', () => {
    const inputs = [
      gen.float([10, 6], (v) => v * 0.5),
      gen.float([6, 16], (v) => v * 0.3),
      gen.float([8, 6], (v) => v * 0.3),
      gen.int([2, 5], 0, 10),
    ];
    expectSameOnBoth(
      inputs,
      (emb, wUp, wDown, ids) => {
        const grads = tf.grads((e: tf.Tensor, u: tf.Tensor, d: tf.Tensor) => block(e, u, d, ids));
        return [block(emb, wUp, wDown, ids), ...grads([emb, wUp, wDown])];
      },
      1e-4,
    );
  });

  it('match for fused matmul with bias and broadcasting ops', () => {
    expectSameOnBoth(
      // 2-D a: tf.fused.matMul's own gradient does not reduce a broadcast b.
      [gen.float([6, 5]), gen.float([5, 7]), gen.float([7]), gen.float([6, 1])],
      (a, b, bias, s) => {
        const f = (x: tf.Tensor, w: tf.Tensor, c: tf.Tensor, k: tf.Tensor) =>
          tf.sum(
            tf.div(
              tf.fused.matMul({ a: x, b: w, bias: c, activation: 'relu' }),
              tf.add(tf.abs(k), 1),
            ),
          );
        return tf.grads(f)([a, b, bias, s]);
      },
      1e-4,
    );
  });
});

describe('the native backend', () => {
  it('registers idempotently and becomes selectable', async () => {
    registerNativeBackend();
    registerNativeBackend();
    expect(await tf.setBackend('native')).toBe(true);
    expect(tf.getBackend()).toBe('native');
    // Every cpu kernel is available, e.g. cumsum which has no native version.
    expect(Array.from(tf.cumsum(tf.tensor1d([1, 2, 3])).dataSync())).toEqual([1, 3, 6]);
  });

  it('keeps tf.memory() exact: no tensors or bytes left after a training-like step', async () => {
    await tf.setBackend('native');
    const w = tf.variable(tf.randomNormal([16, 16], 0, 0.1, 'float32', 1));
    const x = tf.randomNormal([8, 16], 0, 1, 'float32', 2);
    const step = () =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() =>
          tf.sum(tf.softmax(tf.fused.matMul({ a: x, b: w, activation: 'relu' }))),
        );
        w.assign(tf.sub(w, tf.mul(grads[w.name], 0.1)));
      });
    step();
    const before = tf.memory();
    for (let i = 0; i < 3; i++) step();
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    expect(after.numDataBuffers).toBe(before.numDataBuffers);
    w.dispose();
    x.dispose();
  });

  it('recycles disposed outputs without touching values handed out by dataSync', async () => {
    await tf.setBackend('native');
    const backend = tf.backend() as NativeBackend;
    const a = tf.fill([64, 64], 2);
    const first = tf.mul(a, a);
    const seen = first.dataSync();
    first.dispose();
    expect(backend.pool.bytes).toBe(64 * 64 * 4);
    const second = tf.add(a, a); // reuses the buffer `first` had
    expect(backend.pool.bytes).toBe(0);
    expect(seen.every((v) => v === 4)).toBe(true);
    expect(second.dataSync().every((v) => v === 4)).toBe(true);
    tf.dispose([a, second]);
  });

  it('gives bit-identical results run to run', async () => {
    await tf.setBackend('native');
    const run = () =>
      tf.tidy(() => {
        const a = tf.randomNormal([257, 300], 0, 1, 'float32', 5);
        const b = tf.randomNormal([300, 129], 0, 1, 'float32', 6);
        const y = tf.softmax(tf.matMul(a, b));
        return Array.from(tf.concat([tf.sum(y, 0), tf.mean(tf.exp(a), 1)]).dataSync());
      });
    expect(run()).toEqual(run());
  });
});

describe('the buffer pool', () => {
  it('takes a buffer back only when no stored tensor references it', () => {
    const pool = new BufferPool(1 << 20);
    const x = pool.allocate('float32', 2048);
    const view = x.subarray(1024); // what a cpu kernel's slice stores
    pool.retain(x);
    pool.retain(view);
    pool.release(x);
    expect(pool.bytes).toBe(0);
    pool.release(view);
    expect(pool.bytes).toBe(8192);
    expect(pool.allocate('int32', 2048).buffer).toBe(x.buffer);
  });

  it('leaves arrays it did not allocate, small ones, and overflow to the GC', () => {
    const pool = new BufferPool(8192);
    const foreign = new Float32Array(4096);
    pool.retain(foreign);
    pool.release(foreign);
    const small = pool.allocate('float32', 16);
    pool.retain(small);
    pool.release(small);
    expect(pool.bytes).toBe(0);
    const [a, b] = [pool.allocate('float32', 2048), pool.allocate('float32', 2048)];
    for (const t of [a, b]) {
      pool.retain(t);
      pool.release(t);
    }
    expect(pool.bytes).toBe(8192);
  });
});

describe('loading the addon', () => {
  it('reports the install failure, a missing build, or a broken file as the reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rrm-native-build-'));
    expect(openAddon(dir)).toEqual({ reason: expect.stringMatching(/does not exist; build it/) });
    writeFileSync(join(dir, 'install-error.txt'), 'node-gyp failed: cblas.h not found\n');
    expect(openAddon(dir)).toEqual({
      reason: 'the addon was not built at install: node-gyp failed: cblas.h not found',
    });
    mkdirSync(join(dir, 'Release'));
    writeFileSync(join(dir, 'Release', 'rrm_native.node'), 'not a shared object');
    expect(openAddon(dir)).toEqual({ reason: expect.stringMatching(/failed to load/) });
  });
});

describe('the install script', () => {
  const script = fileURLToPath(new URL('../scripts/install.mjs', import.meta.url));

  // A package directory with the script but nothing to build.
  function scratchPackage(): string {
    const dir = mkdtempSync(join(tmpdir(), 'rrm-native-install-'));
    mkdirSync(join(dir, 'scripts'));
    mkdirSync(join(dir, 'native'));
    copyFileSync(script, join(dir, 'scripts', 'install.mjs'));
    return dir;
  }

  it('exits 0 with one line and records the reason when the build fails', () => {
    const dir = scratchPackage(); // no binding.gyp: node-gyp fails
    const r = spawnSync(process.execPath, [join(dir, 'scripts', 'install.mjs')], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toMatch(/addon not built \(.+\)/);
    expect(readFileSync(join(dir, 'build', 'install-error.txt'), 'utf8')).toMatch(/\S/);
  });

  it('skips the build when asked to', () => {
    const dir = scratchPackage();
    const r = spawnSync(process.execPath, [join(dir, 'scripts', 'install.mjs')], {
      encoding: 'utf8',
      env: { ...process.env, RRM_NATIVE_SKIP_BUILD: '1' },
    });
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'build', 'install-error.txt'), 'utf8')).toContain(
      'RRM_NATIVE_SKIP_BUILD',
    );
  });
});

describe('the fused kernels', () => {
  // Each against what @rrm/layers computes from primitive ops, gradients included.
  const cases = [
    {
      name: SWIGLU,
      composed: ([x]: tf.Tensor[]) => {
        const [gate, up] = tf.split(x, 2, -1);
        return tf.mul(tf.mul(gate, tf.sigmoid(gate)), up);
      },
      fused: ([x]: tf.Tensor[]) => tf.engine().runKernel(SWIGLU, { x }) as tf.Tensor,
      // Halves of whole eight-lane blocks, with a tail, shorter than a block; empty.
      shapes: [[2, 40, 1024], [4, 81, 162], [3, 6], [2], [0, 4]],
    },
    {
      name: RMS_NORM,
      composed: ([x]: tf.Tensor[]) =>
        tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), 1e-5))),
      fused: ([x]: tf.Tensor[]) =>
        tf.engine().runKernel(RMS_NORM, { x }, { eps: 1e-5 }) as tf.Tensor,
      // Rows of whole eight-lane blocks, with a tail, shorter than a block; 1-D; empty.
      shapes: [[2, 40, 128], [32, 81], [5, 3], [6], [0, 4], [300, 130]],
    },
  ];

  it.each(cases)('$name matches the composed ops and their gradients', async (c) => {
    await tf.setBackend('native');
    const inputs = new Inputs(23);
    for (const shape of c.shapes) {
      const xs = [tensor(inputs.float(shape, (v) => v * 3))];
      const dy = tensor(inputs.float(tf.tidy(() => c.composed(xs).shape)));
      const loss =
        (f: (xs: tf.Tensor[]) => tf.Tensor) =>
        (...a: tf.Tensor[]) =>
          tf.sum(tf.mul(f(a), dy));
      const want = [c.composed(xs), ...tf.grads(loss(c.composed))(xs)];
      const got = [c.fused(xs), ...tf.grads(loss(c.fused))(xs)];
      for (const [k, w] of want.entries()) {
        expect(got[k].shape).toEqual(w.shape);
        const g = got[k].dataSync();
        for (const [i, v] of w.dataSync().entries()) {
          if (Math.abs(g[i] - v) > 1e-5 * (1 + Math.abs(v)))
            expect.fail(`${c.name} [${shape}] output ${k}[${i}]: ${g[i]} vs ${v}`);
        }
      }
      tf.dispose([...xs, dy, ...want, ...got]);
    }
  });

  it('rejects bad inputs with an error naming the kernel', async () => {
    await tf.setBackend('native');
    const odd = tf.ones([2, 3]);
    const ints = tf.ones([2, 4], 'int32');
    expect(() => tf.engine().runKernel(SWIGLU, { x: odd })).toThrow(
      /RrmSwiGLU: x must have an even last axis/,
    );
    expect(() => tf.engine().runKernel(SWIGLU, { x: ints })).toThrow(
      /RrmSwiGLU: inputs must be float32, got int32/,
    );
    expect(() => tf.engine().runKernel(RMS_NORM, { x: ints }, { eps: 1e-5 })).toThrow(
      /RrmRmsNorm: inputs must be float32/,
    );
    tf.dispose([odd, ints]);
  });

  it('are registered for native only, so models can test for them', () => {
    for (const name of [SWIGLU, RMS_NORM, ATTENTION, ATTENTION_GRAD]) {
      expect(tf.getKernel(name, 'native')).toBeDefined();
      expect(tf.getKernel(name, 'cpu')).toBeUndefined();
    }
  });
});

describe('the fused attention kernel', () => {
  /** What @rrm/layers' Attention computes before o_proj, from primitive ops. */
  function composed(qkv: tf.Tensor, cos: tf.Tensor, sin: tf.Tensor, numHeads: number) {
    const [b, s, w] = qkv.shape;
    const d = w / 3 / numHeads;
    let [q, k, v] = tf.split(qkv, 3, -1).map((t) => tf.reshape(t, [b, s, numHeads, d]));
    if (cos.size > 0) [q, k] = [q, k].map((t) => applyRotary(t, { cos, sin }));
    const [qh, kh, vh] = [q, k, v].map((t) => tf.transpose(t, [0, 2, 1, 3]));
    const p = tf.softmax(tf.mul(tf.matMul(qh, kh, false, true), 1 / Math.sqrt(d)));
    return tf.reshape(tf.transpose(tf.matMul(p, vh), [0, 2, 1, 3]), [b, s, numHeads * d]);
  }
  const fused = (qkv: tf.Tensor, cos: tf.Tensor, sin: tf.Tensor, numHeads: number) =>
    tf.engine().runKernel(ATTENTION, { qkv, cos, sin }, { numHeads }) as tf.Tensor;

  type Tables = 'none' | 'rope' | 'random';
  /** qkv, cos, sin for [B, S, H, D]; tables longer than S, as the models' are. */
  function inputs(gen: Inputs, [b, s, h, d]: number[], tables: Tables): tf.Tensor[] {
    const qkv = tensor(gen.float([b, s, 3 * h * d]));
    if (tables === 'none') return [qkv, tf.zeros([0]), tf.zeros([0])];
    if (tables === 'random')
      return [qkv, tensor(gen.float([s + 2, d])), tensor(gen.float([s + 2, d]))];
    const rope = new RotaryEmbedding(d, s + 5);
    return [qkv, rope.cos, rope.sin];
  }

  /** Output and d(Σ out∘dy)/dqkv of `f`. */
  function withGrad(f: typeof fused, [qkv, cos, sin]: tf.Tensor[], h: number, dy: tf.Tensor) {
    const { value, grad } = tf.valueAndGrad((x: tf.Tensor) =>
      tf.sum(tf.mul(f(x, cos, sin, h), dy)),
    )(qkv);
    value.dispose();
    return [f(qkv, cos, sin, h), grad];
  }

  // [B, S, H, D]: S not a multiple of 8, D = 8 and 32, B = 1, H = 1, S = 1, and
  // enough (batch, head) pairs that the work is split over threads.
  const cases: [number[], Tables][] = [
    [[2, 13, 3, 8], 'rope'],
    [[2, 13, 3, 8], 'none'],
    [[1, 64, 4, 32], 'rope'],
    [[3, 9, 1, 32], 'none'],
    [[1, 1, 1, 8], 'rope'],
    [[2, 21, 2, 16], 'random'],
    [[8, 40, 4, 8], 'rope'],
  ];

  it.each(cases)(
    '[B, S, H, D] = %j with tables %s matches the composed ops and gradient',
    async (dims, tables) => {
      await tf.setBackend('native');
      const gen = new Inputs(31);
      const xs = inputs(gen, dims, tables);
      const [b, s, h, d] = dims;
      const dy = tensor(gen.float([b, s, h * d]));
      const want = withGrad(composed, xs, h, dy);
      const got = withGrad(fused, xs, h, dy);
      for (const [k, w] of want.entries()) {
        expect(got[k].shape).toEqual(w.shape);
        const g = got[k].dataSync();
        for (const [i, v] of w.dataSync().entries()) {
          if (!(Math.abs(g[i] - v) <= 2e-5 * (1 + Math.abs(v))))
            expect.fail(`${['out', 'dqkv'][k]}[${i}]: ${g[i]} vs ${v}`);
        }
      }
      tf.dispose([...xs, dy, ...want, ...got]);
    },
  );

  it('gives bit-identical results run to run', async () => {
    await tf.setBackend('native');
    const run = () => {
      const gen = new Inputs(5);
      const xs = inputs(gen, [4, 37, 4, 32], 'rope');
      const dy = tensor(gen.float([4, 37, 128]));
      const out = withGrad(fused, xs, 4, dy);
      const values = out.map((t) => Array.from(t.dataSync()));
      tf.dispose([...xs, dy, ...out]);
      return values;
    };
    expect(run()).toEqual(run());
  });

  it('rejects bad inputs with an error naming the kernel', async () => {
    await tf.setBackend('native');
    const qkv = tf.ones([2, 3, 24]);
    const empty = tf.zeros([0]);
    const run =
      (name: string, inputs: tf.NamedTensorMap, numHeads = 2) =>
      () =>
        tf.engine().runKernel(name, inputs, { numHeads });
    const ints = tf.ones([2, 3, 24], 'int32');
    const odd = tf.ones([2, 3, 10]);
    const shortTable = tf.ones([2, 4]);
    expect(run(ATTENTION, { qkv: odd, cos: empty, sin: empty })).toThrow(
      /RrmAttention: qkv must be \[B, S, 3·numHeads·headDim\] with numHeads 2, got \[2,3,10\]/,
    );
    expect(run(ATTENTION, { qkv, cos: empty, sin: empty }, 0)).toThrow(/RrmAttention: qkv must be/);
    expect(run(ATTENTION, { qkv: ints, cos: empty, sin: empty })).toThrow(
      /RrmAttention: inputs must be float32, got int32/,
    );
    expect(run(ATTENTION, { qkv })).toThrow(/RrmAttention: inputs qkv, cos and sin are required/);
    expect(run(ATTENTION, { qkv, cos: shortTable, sin: shortTable })).toThrow(
      /RrmAttention: cos and sin must be \[≥3, 4\]/,
    );
    expect(run(ATTENTION_GRAD, { dy: qkv, qkv, cos: empty, sin: empty })).toThrow(
      /RrmAttentionGrad: dy must be \[2,3,8\], got \[2,3,24\]/,
    );
    tf.dispose([qkv, empty, ints, odd, shortTable]);
  });
});
