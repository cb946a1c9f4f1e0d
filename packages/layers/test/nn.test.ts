import { Rng } from '@rrm/random';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import {
  Attention,
  applyRotary,
  Embedding,
  expectFlatTensorCount,
  GridMixing,
  gridNeighbourIndex,
  LearnedPositionEmbedding,
  Linear,
  Module,
  postNorm,
  RotaryEmbedding,
  rmsNorm,
  SudokuMixing,
  SwiGLU,
  sudokuGroupTable,
  swigluInner,
  TokenMixingMLP,
  truncNormal,
} from '../src/index';
import { readSafetensorsFile } from '../src/node';
import { maxAbsDiff, missing, PARITY } from './helpers';

type M = number[][];
const matT = (a: M): M => a[0].map((_, j) => a.map((r) => r[j]));
const matMul = (a: M, b: M): M =>
  a.map((r) => b[0].map((_, j) => r.reduce((s, x, k) => s + x * b[k][j], 0)));
const silu = (x: number) => x / (1 + Math.exp(-x));
const rms = (r: number[], eps = 1e-5) => {
  const ms = r.reduce((s, x) => s + x * x, 0) / r.length;
  return r.map((x) => x / Math.sqrt(ms + eps));
};
const w2 = (v: tf.Variable) => v.arraySync() as M;
/** Row-wise SwiGLU in float64 from the layer's own weights: x [n, d] -> [n, d]. */
function naiveSwiglu(m: SwiGLU, x: M): M {
  const gu = matMul(x, matT(w2(m.gateUp.weight)));
  const half = gu[0].length / 2;
  const h = gu.map((r) => r.slice(0, half).map((g, i) => silu(g) * r[half + i]));
  return matMul(h, matT(w2(m.down.weight)));
}
const randn = (shape: number[], seed: number, std = 1) => truncNormal(shape, std, new Rng(seed));

describe('truncNormal', () => {
  test('is reproducible from the seed, bounded at 2σ (corrected), with the requested std', () => {
    const a = truncNormal([40000], 0.5, new Rng(3)).dataSync();
    expect(truncNormal([40000], 0.5, new Rng(3)).dataSync()).toEqual(a);
    expect(truncNormal([8], 0.5, new Rng(4)).dataSync()).not.toEqual(a.slice(0, 8));
    let s = 0;
    let sq = 0;
    let max = 0;
    for (const x of a) {
      s += x;
      sq += x * x;
      max = Math.max(max, Math.abs(x));
    }
    const mean = s / a.length;
    const std = Math.sqrt(sq / a.length - mean * mean);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(std).toBeGreaterThan(0.49);
    expect(std).toBeLessThan(0.51);
    // 2σ of the underlying normal = 2 · 0.5 / 0.8796 (the std of a unit normal truncated at ±2).
    expect(max).toBeLessThanOrEqual((2 * 0.5) / 0.87962566);
    expect(max).toBeGreaterThan(1.1);
    expect(Array.from(truncNormal([3, 2], 0, new Rng(1)).dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('Module', () => {
  class Net extends Module {
    constructor(rng: Rng) {
      super();
      this.param('H_init', truncNormal([4], 1, rng), { trainable: false });
      this.child('layers.0', new Linear(4, 4, { bias: true, rng }));
    }
    twice(): void {
      this.param('H_init', tf.zeros([1]));
    }
  }

  test('buffers are named and loaded but not trained; names cannot repeat', () => {
    const net = new Net(new Rng(1));
    expect([...net.stateDict('m.').keys()]).toEqual([
      'm.H_init',
      'm.layers.0.weight',
      'm.layers.0.bias',
    ]);
    expect(net.namedParameters('m.').map(([n]) => n)).toEqual([
      'm.layers.0.weight',
      'm.layers.0.bias',
    ]);
    expect(net.parameters()).toEqual(net.namedParameters().map(([, v]) => v));
    expect(() => net.twice()).toThrow('Net: parameter name "H_init" registered twice');
    const records = new Map(
      [...net.stateDict('m.')].map(([n, v]) => [
        n,
        { dtype: 'F32' as const, shape: v.shape, data: new Float32Array(v.size).fill(7) },
      ]),
    );
    net.loadStateDict(records, { prefix: 'm.' });
    expect(Array.from(net.stateDict().get('H_init')!.dataSync())).toEqual([7, 7, 7, 7]);
    records.set('m.extra', { dtype: 'F32', shape: [1], data: new Float32Array(1) });
    expect(() => net.loadStateDict(records, { prefix: 'm.', source: 'ck.safetensors' })).toThrow(
      /^ck\.safetensors: checkpoint does not match the model:\n {2}unexpected: m\.extra$/,
    );
    net.loadStateDict(records, { prefix: 'm.', strict: false });
    records.set('m.H_init', { dtype: 'F32', shape: [5], data: new Float32Array(5) });
    expect(() =>
      net.loadStateDict(records, { prefix: 'm.', strict: false, source: 'ck.safetensors' }),
    ).toThrow(
      'ck.safetensors: checkpoint does not match the model:\n  mis-shaped: m.H_init is [5], the model needs [4]',
    );
    net.dispose();
  });
});

describe('Linear and Embedding', () => {
  test('Linear computes x Wᵀ + b with W [out, in] and LeCun init', () => {
    const lin = new Linear(64, 3, { bias: true, rng: new Rng(1) });
    expect(lin.namedParameters().map(([n, v]) => [n, v.shape])).toEqual([
      ['weight', [3, 64]],
      ['bias', [3]],
    ]);
    const wstd = Math.sqrt(tf.moments(lin.weight).variance.dataSync()[0]);
    expect(wstd).toBeGreaterThan(0.1);
    expect(wstd).toBeLessThan(0.16); // 1/sqrt(64) = 0.125
    lin.bias!.assign(tf.tensor1d([1, 2, 3]));
    const x = randn([2, 5, 64], 2);
    const y = lin.apply(x);
    expect(y.shape).toEqual([2, 5, 3]);
    const want = matMul(tf.reshape(x, [10, 64]).arraySync() as M, matT(w2(lin.weight))).map((r) =>
      r.map((v, j) => v + j + 1),
    );
    expect(maxAbsDiff(y.dataSync(), want.flat())).toBeLessThan(1e-5);
    expect(
      new Linear(4, 2, { bias: false, rng: new Rng(1) }).namedParameters().map(([n]) => n),
    ).toEqual(['weight']);
    const parts = lin.applySplit(x, 3);
    expect(parts.map((p) => p.shape)).toEqual([
      [2, 5, 1],
      [2, 5, 1],
      [2, 5, 1],
    ]);
    expect(tf.concat(parts, -1).dataSync()).toEqual(y.dataSync());
    expect(() => lin.applySplit(x, 2)).toThrow('Linear: 3 outputs do not split into 2');
  });

  test.each([5, 300])(
    'Embedding with %i rows looks up rows exactly and sums the gradients of repeated ids',
    (num) => {
      const emb = new Embedding(num, 3, { initStd: 1, rng: new Rng(1) });
      expect(emb.namedParameters()[0][0]).toBe('embedding_weight');
      const ids = tf.tensor2d([[4, 0, 4]], [1, 3], 'int32');
      const out = emb.apply(ids);
      const w = w2(emb.weight);
      expect(out.arraySync()).toEqual([[w[4], w[0], w[4]]]);
      const dy = tf.tensor3d([
        [
          [1, 2, 3],
          [4, 5, 6],
          [7, 8, 9],
        ],
      ]);
      const g = tf.variableGrads(() => tf.sum(tf.mul(emb.apply(ids), dy)), [emb.weight]).grads[
        emb.weight.name
      ];
      const rows = g.arraySync() as M;
      expect(rows[4]).toEqual([8, 10, 12]);
      expect(rows[0]).toEqual([4, 5, 6]);
      expect(rows[1]).toEqual([0, 0, 0]);
      emb.dispose();
    },
  );
});

describe('norms and MLPs', () => {
  test('rmsNorm divides each row by its root mean square (+eps); postNorm normalises x + f(x)', () => {
    const x = tf.tensor2d([
      [3, 4, 0, 0],
      [1e-4, -1e-4, 1e-4, -1e-4],
    ]);
    const want = (x.arraySync() as M).map((r) => rms(r));
    expect(maxAbsDiff(rmsNorm(x).dataSync(), want.flat())).toBeLessThan(1e-6);
    expect(maxAbsDiff(rmsNorm(x, 0).dataSync(), [1.2, 1.6, 0, 0, 1, -1, 1, -1])).toBeLessThan(1e-5);
    const pn = postNorm(x, (t) => tf.mul(t, 2));
    expect(maxAbsDiff(pn.dataSync(), rmsNorm(tf.mul(x, 3)).dataSync())).toBeLessThan(1e-6);
  });

  test('SwiGLU inner width follows the reference rounding', () => {
    expect(swigluInner(32, 4)).toBe(256);
    expect(swigluInner(512, 4)).toBe(1536); // round(1365.33) = 1365 -> 1536
    expect(swigluInner(18, 4)).toBe(256);
    expect(swigluInner(384, 1)).toBe(256); // 256 exactly
    expect(swigluInner(387, 1)).toBe(512); // round(258) = 258 -> 512
    expect(swigluInner(3, 0.75)).toBe(256); // round(1.5) = 2 (half to even) -> 256
  });

  test('SwiGLU computes down(silu(gate) * up) with the two halves of gate_up_proj', () => {
    const m = new SwiGLU(8, 4, { rng: new Rng(5) });
    expect(m.namedParameters().map(([n, v]) => [n, v.shape])).toEqual([
      ['gate_up_proj.weight', [512, 8]],
      ['down_proj.weight', [8, 256]],
    ]);
    const x = randn([2, 3, 8], 6);
    const got = m.apply(x);
    const want = naiveSwiglu(m, tf.reshape(x, [6, 8]).arraySync() as M);
    expect(got.shape).toEqual([2, 3, 8]);
    expect(maxAbsDiff(got.dataSync(), want.flat())).toBeLessThan(1e-5);
  });

  test('TokenMixingMLP mixes positions: SwiGLU over the sequence axis, then rmsNorm over it', () => {
    const [b, s, h] = [2, 6, 4];
    const m = new TokenMixingMLP(s, 4, { rng: new Rng(7) });
    expect(m.namedParameters().map(([n, v]) => [n, v.shape])).toEqual([
      ['gate_up_proj.weight', [512, s]],
      ['down_proj.weight', [s, 256]],
    ]);
    const x = randn([b, s, h], 8);
    const got = m.mix(x).arraySync() as number[][][];
    const xs = x.arraySync() as number[][][];
    for (let bi = 0; bi < b; bi++) {
      const xt = matT(xs[bi]); // [H, S]
      const out = naiveSwiglu(m, xt).map((r, i) => rms(r.map((v, j) => v + xt[i][j])));
      expect(maxAbsDiff(got[bi].flat(), matT(out).flat())).toBeLessThan(1e-5);
    }
    expect(() => m.mix(randn([1, s + 1, h], 1))).toThrow(/sequence length 7, built for 6/);
  });
});

describe('grid mixing', () => {
  test('each board cell reads itself and its four neighbours; edges and the prefix read the zero row', () => {
    const [side, prefix] = [3, 1];
    const total = prefix + side * side; // the zero row's index
    const index = Array.from(gridNeighbourIndex(side, prefix));
    const cell = (t: number) => index.slice(5 * t, 5 * t + 5);
    expect(cell(0)).toEqual([0, total, total, total, total]); // prefix: itself only
    expect(cell(prefix + 4)).toEqual([5, 2, 8, 4, 6]); // centre: up, down, left, right
    expect(cell(prefix + 0)).toEqual([1, total, 4, total, 2]); // top-left corner
    expect(cell(prefix + 8)).toEqual([9, 6, total, 8, total]); // bottom-right corner
    // Neighbourhood is symmetric: b reads a whenever a reads b.
    for (let a = prefix; a < total; a++)
      for (const b of cell(a).slice(1)) if (b !== total) expect(cell(b)).toContain(a);
  });

  test('GridMixing is rmsNorm(x + W · [x, up, down, left, right]) with zeros past the edge', async () => {
    const [b, side, prefix, d] = [2, 3, 1, 4];
    const live = tf.memory().numTensors;
    const m = new GridMixing(d, side, prefix, { rng: new Rng(21) });
    expect(m.namedParameters().map(([n, v]) => [n, v.shape])).toEqual([
      ['proj.weight', [d, 5 * d]],
    ]);
    const T = prefix + side * side;
    const x = randn([b, T, d], 22);
    const got = tf.tidy(() => m.mix(x).arraySync()) as number[][][];
    const xs = x.arraySync() as number[][][];
    const w = matT(w2(m.proj.weight)); // [5d, d]
    const zero = new Array<number>(d).fill(0);
    for (let bi = 0; bi < b; bi++) {
      const at = (r: number, c: number) =>
        r < 0 || r >= side || c < 0 || c >= side ? zero : xs[bi][prefix + r * side + c];
      for (let t = 0; t < T; t++) {
        const [r, c] = [Math.floor((t - prefix) / side), (t - prefix) % side];
        const five =
          t < prefix
            ? [...xs[bi][t], ...zero, ...zero, ...zero, ...zero]
            : [xs[bi][t], at(r - 1, c), at(r + 1, c), at(r, c - 1), at(r, c + 1)].flat();
        const want = rms(matMul([five], w)[0].map((v, j) => v + xs[bi][t][j]));
        expect(maxAbsDiff(got[bi][t], want)).toBeLessThan(1e-5);
      }
    }
    expect(() => tf.tidy(() => m.mix(randn([1, T + 1, d], 1)))).toThrow(
      /11 positions, built for 1 \+ 3×3/,
    );
    await expectFlatTensorCount(() => m.mix(x).dispose(), 3);
    m.dispose();
    x.dispose();
    expect(tf.memory().numTensors).toBe(live); // the neighbour index goes with the module
  });
});

describe('Sudoku mixing', () => {
  test('sudokuGroupTable averages exactly the row, column and box of each cell', () => {
    const [boxRows, boxCols, prefix] = [2, 3, 1]; // 6×6 after one prefix position
    const side = boxRows * boxCols;
    const T = prefix + side * side;
    const table = sudokuGroupTable(boxRows, boxCols, prefix);
    expect(table.length).toBe(T * 4 * T);
    const read = (t: number, slot: number) =>
      Array.from({ length: T }, (_, s) => table[t * 4 * T + 4 * s + slot]);
    const nonzero = (v: number[]) => v.flatMap((w, s) => (w !== 0 ? [s] : []));
    // The prefix reads itself and no group.
    expect(nonzero(read(0, 0))).toEqual([0]);
    for (const slot of [1, 2, 3]) expect(nonzero(read(0, slot))).toEqual([]);
    const cell = (r: number, c: number) => prefix + r * side + c;
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) {
        const t = cell(r, c);
        expect(nonzero(read(t, 0))).toEqual([t]);
        const rowCells = Array.from({ length: side }, (_, i) => cell(r, i));
        const colCells = Array.from({ length: side }, (_, i) => cell(i, c));
        const box = (s: number) =>
          Math.floor((s - prefix) / side / boxRows) * 10 +
          Math.floor(((s - prefix) % side) / boxCols);
        const boxCells = Array.from({ length: T }, (_, s) => s).filter(
          (s) => s >= prefix && box(s) === box(t),
        );
        for (const [slot, cells] of [
          [1, rowCells],
          [2, colCells],
          [3, boxCells],
        ] as const) {
          expect(nonzero(read(t, slot))).toEqual([...cells].sort((a, b) => a - b));
          for (const s of cells) expect(read(t, slot)[s]).toBeCloseTo(1 / side, 7);
        }
      }
    }
  });

  test('SudokuMixing is rmsNorm(x + Σ_slot W_slot · mean(group)) and frees its table', async () => {
    const [b, boxRows, boxCols, prefix, d] = [2, 2, 2, 1, 4];
    const live = tf.memory().numTensors;
    const m = new SudokuMixing(d, boxRows, boxCols, prefix, { rng: new Rng(31) });
    expect(m.namedParameters().map(([n, v]) => [n, v.shape])).toEqual([
      ['proj.weight', [4 * d, d]],
    ]);
    const side = boxRows * boxCols;
    const T = prefix + side * side;
    const x = randn([b, T, d], 32);
    const got = tf.tidy(() => m.mix(x).arraySync()) as number[][][];
    const xs = x.arraySync() as number[][][];
    const w = w2(m.proj.weight); // [4d, d]: slot k is rows k·d .. (k+1)·d
    const slotW = (k: number) => matT(w.slice(k * d, (k + 1) * d)); // [d, d]
    const mean = (rows: number[][]) =>
      rows[0].map((_, j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
    for (let bi = 0; bi < b; bi++) {
      const at = (r: number, c: number) => xs[bi][prefix + r * side + c];
      for (let t = 0; t < T; t++) {
        const parts: number[][] = [xs[bi][t]];
        if (t >= prefix) {
          const [r, c] = [Math.floor((t - prefix) / side), (t - prefix) % side];
          const [r0, c0] = [r - (r % boxRows), c - (c % boxCols)];
          const idx = Array.from({ length: side }, (_, i) => i);
          parts.push(mean(idx.map((i) => at(r, i))));
          parts.push(mean(idx.map((i) => at(i, c))));
          parts.push(mean(idx.map((i) => at(r0 + Math.floor(i / boxCols), c0 + (i % boxCols)))));
        }
        const mixed = parts
          .map((p, k) => matMul([p], slotW(k))[0])
          .reduce((acc, v) => acc.map((a, j) => a + v[j]));
        const want = rms(mixed.map((v, j) => v + xs[bi][t][j]));
        expect(maxAbsDiff(got[bi][t], want)).toBeLessThan(1e-5);
      }
    }
    expect(() => tf.tidy(() => m.mix(randn([1, T + 1, d], 1)))).toThrow(
      /18 positions, built for 1 \+ 4×4/,
    );
    await expectFlatTensorCount(() => m.mix(x).dispose(), 3);
    m.dispose();
    x.dispose();
    expect(tf.memory().numTensors).toBe(live);
  });
});

describe('positions and attention', () => {
  test('RotaryEmbedding tables use theta 10000 in the rotate-half layout', () => {
    const rope = new RotaryEmbedding(8, 5);
    const cos = rope.cos.arraySync() as M;
    const sin = rope.sin.arraySync() as M;
    for (let t = 0; t < 5; t++) {
      for (let i = 0; i < 4; i++) {
        const angle = t * 10000 ** (-(2 * i) / 8);
        for (const j of [i, i + 4]) {
          expect(cos[t][j]).toBeCloseTo(Math.cos(angle), 6);
          expect(sin[t][j]).toBeCloseTo(Math.sin(angle), 6);
        }
      }
    }
    // Rotating (x_i, x_{i+4}) keeps its norm, and q·k depends only on the position offset.
    const q = randn([1, 1, 1, 8], 1);
    const k = randn([1, 1, 1, 8], 2);
    const at = (x: tf.Tensor, p: number) =>
      tf.reshape(tf.slice(applyRotary(tf.tile(x, [1, 5, 1, 1]), rope), [0, p], [1, 1]), [8]);
    const dot = (a: number, bb: number) => tf.dot(at(q, a), at(k, bb)).dataSync()[0];
    expect(dot(3, 1)).toBeCloseTo(dot(2, 0), 5);
    expect(dot(4, 2)).toBeCloseTo(dot(2, 0), 5);
    expect(Math.abs(dot(1, 1) - dot(2, 0))).toBeGreaterThan(1e-3);
    expect(tf.norm(at(q, 4)).dataSync()[0]).toBeCloseTo(tf.norm(q).dataSync()[0], 5);
    rope.dispose();
  });

  test('LearnedPositionEmbedding adds embed_pos then scales by 1/√2', () => {
    const pos = new LearnedPositionEmbedding(3, 2, { initStd: 1, rng: new Rng(1) });
    const x = tf.ones([2, 3, 2]);
    const w = (pos.weight.arraySync() as M).flat();
    const want = [...w, ...w].map((v) => (v + 1) * Math.SQRT1_2);
    expect(maxAbsDiff(pos.add(x).dataSync(), want)).toBeLessThan(1e-6);
  });

  test('Attention matches softmax(QKᵀ/√d)V per head, with RoPE on q and k, non-causal', () => {
    const [b, s, h, heads] = [2, 5, 8, 2];
    const d = h / heads;
    const att = new Attention({ hiddenSize: h, headDim: d, numHeads: heads, rng: new Rng(9) });
    expect(att.namedParameters().map(([n, v]) => [n, v.shape])).toEqual([
      ['qkv_proj.weight', [3 * h, h]],
      ['o_proj.weight', [h, h]],
    ]);
    const rope = new RotaryEmbedding(d, s + 3); // tables longer than S are sliced
    const x = randn([b, s, h], 10);
    const got = att.apply(x, rope).arraySync() as number[][][];
    const cos = rope.cos.arraySync() as M;
    const sin = rope.sin.arraySync() as M;
    const rot = (v: number[], p: number) =>
      v.map((val, i) => val * cos[p][i] + (i < d / 2 ? -v[i + d / 2] : v[i - d / 2]) * sin[p][i]);
    const xs = x.arraySync() as number[][][];
    for (let bi = 0; bi < b; bi++) {
      const qkv = matMul(xs[bi], matT(w2(att.qkv.weight))); // [S, 3H]
      const o: M = Array.from({ length: s }, () => []);
      for (let hd = 0; hd < heads; hd++) {
        const part = (off: number) => qkv.map((r) => r.slice(off + hd * d, off + (hd + 1) * d));
        const q = part(0).map(rot);
        const k = part(h).map(rot);
        const v = part(2 * h);
        for (let i = 0; i < s; i++) {
          const sc = k.map((kr) => kr.reduce((acc, kv, j) => acc + kv * q[i][j], 0) / Math.sqrt(d));
          const mx = Math.max(...sc);
          const e = sc.map((z) => Math.exp(z - mx));
          const z = e.reduce((a2, c) => a2 + c, 0);
          o[i].push(...v[0].map((_, j) => e.reduce((acc, ej, t) => acc + (ej / z) * v[t][j], 0)));
        }
      }
      const want = matMul(o, matT(w2(att.out.weight)));
      expect(maxAbsDiff(got[bi].flat(), want.flat())).toBeLessThan(1e-5);
    }
    // Without RoPE the layer is permutation-equivariant over positions.
    const perm = [4, 0, 3, 1, 2];
    const plain = att.apply(x).arraySync() as number[][][];
    const permuted = att.apply(tf.gather(x, perm, 1)).arraySync() as number[][][];
    expect(
      maxAbsDiff(
        permuted[0].flat(),
        perm.flatMap((p) => plain[0][p]),
      ),
    ).toBeLessThan(1e-5);
    rope.dispose();
  });

  test('forward passes leak no tensors', async () => {
    const att = new Attention({ hiddenSize: 8, headDim: 4, numHeads: 2, rng: new Rng(1) });
    const mlp = new TokenMixingMLP(5, 2, { rng: new Rng(2) });
    const rope = new RotaryEmbedding(4, 5);
    const x = randn([2, 5, 8], 3);
    await expectFlatTensorCount(() => {
      tf.dispose([att.apply(x, rope), mlp.mix(x)]);
    }, 3);
    await expect(expectFlatTensorCount(() => void att.apply(x), 2)).rejects.toThrow(
      /went from \d+ to \d+ over 2 steps/,
    );
  });
});

/** A reference TRM/HRM block (`layers.N` of `L_level`/`H_level`) built from the layers here. */
class Block extends Module {
  constructor(
    kind: 'attention' | 'mlp_t',
    hidden: number,
    heads: number,
    seq: number,
    expansion: number,
    rng: Rng,
  ) {
    super();
    if (kind === 'mlp_t') this.child('mlp_t', new TokenMixingMLP(seq, expansion, { rng }));
    else
      this.child(
        'self_attn',
        new Attention({ hiddenSize: hidden, headDim: hidden / heads, numHeads: heads, rng }),
      );
    this.child('mlp', new SwiGLU(hidden, expansion, { rng }));
  }
}
class Level extends Module {
  constructor(blocks: Block[]) {
    super();
    for (const [i, b] of blocks.entries()) this.child(`layers.${i}`, b);
  }
}

describe('parameter names and shapes match the reference checkpoints', () => {
  const cases = [
    { name: 'trm_att_rope', level: 'L_level', kind: 'attention' as const },
    { name: 'trm_mlp_t', level: 'L_level', kind: 'mlp_t' as const },
    { name: 'hrm_rope', level: 'H_level', kind: 'attention' as const },
  ];
  for (const c of cases) {
    const dir = `${PARITY}/${c.name}`;
    test.skipIf(missing(dir))(`${c.name}: ${c.level} (${dir})`, async () => {
      const { readFile } = await import('node:fs/promises');
      const { arch, checkpoint_prefix: prefix } = JSON.parse(
        await readFile(`${dir}/config.json`, 'utf8'),
      );
      const layers = arch[c.level === 'L_level' ? 'L_layers' : 'H_layers'];
      const seq = arch.seq_len + (arch.puzzle_emb_len ?? 0);
      const rng = new Rng(0);
      const level = new Level(
        Array.from(
          { length: layers },
          () => new Block(c.kind, arch.hidden_size, arch.num_heads, seq, arch.expansion, rng),
        ),
      );
      const path = `${dir}/weights.safetensors`;
      const { tensors } = await readSafetensorsFile(path);
      const full = `${prefix}inner.${c.level}.`;
      const want = [...tensors]
        .filter(([k]) => k.startsWith(full))
        .map(([k, t]) => [k, t.shape] as const);
      const have = [...level.stateDict(full)].map(([k, v]) => [k, v.shape] as const);
      expect(new Map(have)).toEqual(new Map(want));
      const before = tf.memory().numTensors;
      level.loadStateDict(tensors, { prefix: full, source: path });
      expect(tf.memory().numTensors).toBe(before);
      for (const [k, v] of level.stateDict(full))
        expect(v.dataSync()).toEqual(tensors.get(k)!.data);
      expect(() =>
        level.loadStateDict(tensors, { prefix: `${prefix}inner.`, source: path }),
      ).toThrow(
        /weights\.safetensors: checkpoint does not match the model:\n {2}missing: .*inner\.layers\.0\./,
      );
      level.dispose();
    });
  }
});
