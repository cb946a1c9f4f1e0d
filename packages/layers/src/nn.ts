import type { Rng } from '@rrm/random';
import * as tf from '@tensorflow/tfjs-core';
import { Embedding, Linear, Module } from './module';

/**
 * Runs the kernel `name` on `inputs()` when the active backend registers it (a fused
 * kernel with its gradient, as the native backend does for the blocks' hottest steps),
 * else `composed`, the same math from primitive ops.
 */
function fusedOr(
  name: string,
  inputs: () => tf.NamedTensorMap,
  attrs: Record<string, number>,
  composed: () => tf.Tensor,
): tf.Tensor {
  if (tf.getKernel(name, tf.getBackend()) === undefined) return composed();
  return tf.engine().runKernel(name, inputs(), attrs) as tf.Tensor;
}

/** RMS norm over the last axis, no learned scale: x / sqrt(mean(x²) + eps). */
export function rmsNorm(x: tf.Tensor, eps = 1e-5): tf.Tensor {
  return fusedOr(
    'RrmRmsNorm',
    () => ({ x }),
    { eps },
    () => tf.tidy(() => tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps)))),
  );
}

/** The reference blocks' post-norm residual: rmsNorm(x + f(x)). */
export function postNorm(x: tf.Tensor, f: (x: tf.Tensor) => tf.Tensor, eps = 1e-5): tf.Tensor {
  return tf.tidy(() => rmsNorm(tf.add(x, f(x)), eps));
}

/** Smallest multiple of `b` that is >= `a`. */
export function findMultiple(a: number, b: number): number {
  return Math.ceil(a / b) * b;
}

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Width of the SwiGLU hidden layer for model width `d`, as the reference computes it. */
export function swigluInner(d: number, expansion: number): number {
  return findMultiple(roundHalfEven((expansion * d * 2) / 3), 256);
}

/** down(silu(gate) * up), gate and up being the two halves of one projection `gate_up_proj`. */
export class SwiGLU extends Module {
  readonly gateUp: Linear; // [2 * inner, d]
  readonly down: Linear; // [d, inner]

  constructor(
    readonly hidden: number,
    expansion: number,
    opts: { rng: Rng },
  ) {
    super();
    const inner = swigluInner(hidden, expansion);
    this.gateUp = this.child(
      'gate_up_proj',
      new Linear(hidden, 2 * inner, { bias: false, rng: opts.rng }),
    );
    this.down = this.child('down_proj', new Linear(inner, hidden, { bias: false, rng: opts.rng }));
  }

  /** x [..., d] -> [..., d] */
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      // A fused kernel reads gate and up from the one [..., 2·inner] projection; the
      // composed ops get them as two products (a last-axis split is slow on cpu).
      const h = fusedOr(
        'RrmSwiGLU',
        () => ({ x: this.gateUp.apply(x) }),
        {},
        () => {
          const [gate, up] = this.gateUp.applySplit(x, 2);
          return tf.mul(tf.mul(gate, tf.sigmoid(gate)), up);
        },
      );
      return this.down.apply(h);
    });
  }
}

/**
 * TRM's token-mixing MLP (`mlp_t`): a SwiGLU whose width is the sequence length, applied
 * to the transposed activations, so it mixes positions instead of channels.
 */
export class TokenMixingMLP extends SwiGLU {
  constructor(seqLen: number, expansion: number, opts: { rng: Rng }) {
    super(seqLen, expansion, opts);
  }

  /**
   * The whole `mlp_t` sub-layer of a TRM block: with xᵀ [B, H, S],
   * `transpose(rmsNorm(xᵀ + SwiGLU(xᵀ)))`. The norm therefore runs over the sequence
   * axis, exactly as the reference does it. x [B, S, H] -> [B, S, H]
   */
  mix(x: tf.Tensor, eps = 1e-5): tf.Tensor {
    if (x.shape[1] !== this.hidden) {
      throw new Error(`TokenMixingMLP: sequence length ${x.shape[1]}, built for ${this.hidden}`);
    }
    return tf.tidy(() =>
      tf.transpose(
        postNorm(tf.transpose(x, [0, 2, 1]), (t) => this.apply(t), eps),
        [0, 2, 1],
      ),
    );
  }
}

/**
 * A whole block as the backend's kernel `kernel` on h and its four weights (`inputs`
 * names them for the kernel). While a tape records, the kernel also returns the
 * activations (named `activations`) that its gradient kernel, `kernel + 'Grad'`, reads,
 * and `tf.customGrad` keeps them until the backward; without a tape it computes y alone.
 */
function fusedBlock(
  kernel: string,
  h: tf.Tensor,
  weights: tf.Tensor[],
  inputs: (x: tf.Tensor, ws: tf.Tensor[]) => tf.NamedTensorMap,
  activations: string[],
  attrs: Record<string, number>,
): tf.Tensor {
  const engine = tf.engine();
  if (!engine.isTapeOn()) {
    return tf.tidy(() => engine.runKernel(kernel, inputs(h, weights), attrs) as tf.Tensor);
  }
  const block = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, ...ws] = args.slice(0, 1 + weights.length) as tf.Tensor[];
    const save = args[1 + weights.length] as tf.GradSaveFunc;
    const [y, ...acts] = engine.runKernel(kernel, inputs(x, ws), {
      ...attrs,
      train: 1,
    }) as tf.Tensor[];
    save([x, ...ws, ...acts]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const kept = saved.slice(1 + weights.length);
        const named = Object.fromEntries(activations.map((name, i) => [name, kept[i]]));
        const all = { dy, ...inputs(saved[0], saved.slice(1, 1 + weights.length)), ...named };
        return engine.runKernel(`${kernel}Grad`, all, attrs) as tf.Tensor[];
      },
    };
  });
  return block(h, ...weights);
}

/**
 * A whole TRM-MLP block, `postNorm` of `mlpT`'s token mixing then of the channel `mlp`, as
 * one backend kernel (`RrmMlpBlock`, with `RrmMlpBlockGrad`) where the backend has it;
 * null otherwise, for the caller to compose the block. h [B, S, D] -> [B, S, D]
 */
export function fusedMlpBlock(
  h: tf.Tensor,
  mlpT: TokenMixingMLP,
  mlp: SwiGLU,
  eps: number,
): tf.Tensor | null {
  if (tf.getKernel('RrmMlpBlock', tf.getBackend()) === undefined) return null;
  const weights = [mlpT.gateUp.weight, mlpT.down.weight, mlp.gateUp.weight, mlp.down.weight];
  const inputs = (x: tf.Tensor, ws: tf.Tensor[]) => ({
    h: x,
    tokenGateUp: ws[0],
    tokenDown: ws[1],
    gateUp: ws[2],
    down: ws[3],
  });
  const activations = ['tokenProj', 'tokenSum', 'proj', 'sum'];
  return fusedBlock('RrmMlpBlock', h, weights, inputs, activations, { eps });
}

/**
 * A whole attention block, `postNorm` of `attn` then of the channel `mlp`, as one backend
 * kernel (`RrmAttentionBlock`, with `RrmAttentionBlockGrad`) where the backend has it;
 * null otherwise. The RoPE tables get no gradient. h [B, S, D] -> [B, S, D]
 */
export function fusedAttentionBlock(
  h: tf.Tensor,
  attn: Attention,
  mlp: SwiGLU,
  rope: CosSin | null,
  eps: number,
): tf.Tensor | null {
  if (tf.getKernel('RrmAttentionBlock', tf.getBackend()) === undefined) return null;
  const weights = [attn.qkv.weight, attn.out.weight, mlp.gateUp.weight, mlp.down.weight];
  // Empty tables mean no RoPE; made where they are used, since each tidy frees its own.
  const inputs = (x: tf.Tensor, ws: tf.Tensor[]) => ({
    h: x,
    qkvProj: ws[0],
    oProj: ws[1],
    cos: rope?.cos ?? tf.zeros([0]),
    sin: rope?.sin ?? tf.zeros([0]),
    gateUp: ws[2],
    down: ws[3],
  });
  const activations = ['qkv', 'heads', 'attnSum', 'proj', 'sum'];
  const attrs = { numHeads: attn.numHeads, eps };
  return fusedBlock('RrmAttentionBlock', h, weights, inputs, activations, attrs);
}

/**
 * The five cells a grid mixer reads for each position: itself and its neighbours above,
 * below, left and right on a `side × side` board that follows `prefix` board-less positions
 * (the puzzle-embedding prefix, which reads only itself). Past an edge the index is
 * `prefix + side²`, the zero row `GridMixing` appends. int32 [5 · (prefix + side²)],
 * position-major, so a gather reshapes to [B, T, 5 · D].
 */
export function gridNeighbourIndex(side: number, prefix: number): Int32Array {
  const total = prefix + side * side;
  const index = new Int32Array(5 * total).fill(total);
  for (let t = 0; t < total; t++) {
    index[5 * t] = t;
    if (t < prefix) continue;
    const r = Math.floor((t - prefix) / side);
    const c = (t - prefix) % side;
    const at = (rr: number, cc: number) =>
      rr < 0 || rr >= side || cc < 0 || cc >= side ? total : prefix + rr * side + cc;
    index[5 * t + 1] = at(r - 1, c);
    index[5 * t + 2] = at(r + 1, c);
    index[5 * t + 3] = at(r, c - 1);
    index[5 * t + 4] = at(r, c + 1);
  }
  return index;
}

/**
 * Grid mixing, this repo's sequence mixer for boards where only neighbours interact
 * (mazes): each cell's new value is a projection of itself and its four neighbours, a
 * cross-shaped 3×3 convolution with zeros past the edge. One application moves
 * information one cell, so the recursion's many applications can flood a board, and the
 * weights do not depend on the board's size. The papers attend or token-mix instead.
 */
export class GridMixing extends Module {
  readonly proj: Linear; // [d, 5 · d]
  private readonly index: tf.Tensor1D; // int32 [5 · T]

  constructor(
    readonly hidden: number,
    readonly side: number,
    readonly prefix: number,
    opts: { rng: Rng },
  ) {
    super();
    this.proj = this.child('proj', new Linear(5 * hidden, hidden, { bias: false, rng: opts.rng }));
    this.index = tf.keep(tf.tensor1d(gridNeighbourIndex(side, prefix), 'int32'));
  }

  /** The sub-layer rmsNorm(x + proj(neighbours(x))). x [B, T, D] -> [B, T, D] */
  mix(x: tf.Tensor, eps = 1e-5): tf.Tensor {
    const [B, T, D] = x.shape;
    if (T !== this.prefix + this.side * this.side) {
      throw new Error(
        `GridMixing: ${T} positions, built for ${this.prefix} + ${this.side}×${this.side}`,
      );
    }
    return tf.tidy(() => {
      const padded = tf.concat([x, tf.zeros([B, 1, D])], 1); // [B, T + 1, D]
      const five = tf.reshape(tf.gather(padded, this.index, 1), [B, T, 5 * D]);
      return rmsNorm(tf.add(x, this.proj.apply(five)), eps);
    });
  }

  override dispose(): void {
    super.dispose();
    this.index.dispose();
  }
}

/**
 * The averaging table `SudokuMixing` multiplies by: row t reads position t itself (slot 0)
 * and the mean of its row, column and box (slots 1-3) on a board of `boxRows·boxCols`
 * digits after `prefix` board-less positions, which read only themselves. Columns are
 * ordered position-major, 4 slots each, so a [B, T, 4 · D] projection reshapes to
 * [B, 4 · T, D] with no transpose. float32 [T, 4 · T], T = prefix + side².
 */
export function sudokuGroupTable(boxRows: number, boxCols: number, prefix: number): Float32Array {
  const side = boxRows * boxCols;
  const total = prefix + side * side;
  const table = new Float32Array(total * 4 * total);
  const row = (t: number) => table.subarray(t * 4 * total, (t + 1) * 4 * total);
  for (let t = 0; t < prefix; t++) row(t)[4 * t] = 1;
  const cell = (r: number, c: number) => prefix + r * side + c;
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      const a = row(cell(r, c));
      a[4 * cell(r, c)] = 1;
      const r0 = r - (r % boxRows);
      const c0 = c - (c % boxCols);
      for (let i = 0; i < side; i++) {
        a[4 * cell(r, i) + 1] += 1 / side;
        a[4 * cell(i, c) + 2] += 1 / side;
        a[4 * cell(r0 + Math.floor(i / boxCols), c0 + (i % boxCols)) + 3] += 1 / side;
      }
    }
  }
  return table;
}

/**
 * Sudoku mixing, this repo's sequence mixer for boards whose rules are "all different in
 * every row, column and box": each cell's new value is a projection of itself and of the
 * means of its three groups, one projection per slot. Every group talks to each cell in one
 * application, and the weights do not depend on the board's size, so one model runs on
 * 4×4, 6×6 and 9×9 boards. The papers attend or token-mix instead and learn the groups.
 */
export class SudokuMixing extends Module {
  readonly proj: Linear; // [4 · d, d]
  private readonly table: tf.Tensor2D; // [T, 4 · T]
  private readonly positions: number;

  constructor(
    readonly hidden: number,
    readonly boxRows: number,
    readonly boxCols: number,
    readonly prefix: number,
    opts: { rng: Rng },
  ) {
    super();
    this.proj = this.child('proj', new Linear(hidden, 4 * hidden, { bias: false, rng: opts.rng }));
    this.positions = prefix + (boxRows * boxCols) ** 2;
    const table = sudokuGroupTable(boxRows, boxCols, prefix);
    this.table = tf.keep(tf.tensor2d(table, [this.positions, 4 * this.positions]));
  }

  /** The sub-layer rmsNorm(x + table · proj(x)). x [B, T, D] -> [B, T, D] */
  mix(x: tf.Tensor, eps = 1e-5): tf.Tensor {
    const [B, T, D] = x.shape;
    if (T !== this.positions) {
      const side = this.boxRows * this.boxCols;
      throw new Error(`SudokuMixing: ${T} positions, built for ${this.prefix} + ${side}×${side}`);
    }
    return tf.tidy(() => {
      const slots = tf.reshape(this.proj.apply(x), [B, 4 * T, D]);
      return rmsNorm(tf.add(x, tf.matMul(this.table, slots)), eps);
    });
  }

  override dispose(): void {
    super.dispose();
    this.table.dispose();
  }
}

export interface CosSin {
  cos: tf.Tensor; // [S, headDim]
  sin: tf.Tensor; // [S, headDim]
}

/**
 * Rotary position embedding tables in the rotate-half layout: frequency i of
 * `base^(-2i/headDim)` drives channels i and i + headDim/2. Computed in float32 steps
 * like the reference. Call `dispose()` when done.
 */
export class RotaryEmbedding implements CosSin {
  readonly cos: tf.Tensor;
  readonly sin: tf.Tensor;

  constructor(headDim: number, maxPositions: number, base = 10000) {
    if (headDim % 2 !== 0) throw new Error(`RotaryEmbedding: headDim must be even, got ${headDim}`);
    const half = headDim / 2;
    const f = Math.fround;
    const invFreq = Array.from({ length: half }, (_, i) => f(1 / f(base ** f((2 * i) / headDim))));
    const cos = new Float32Array(maxPositions * headDim);
    const sin = new Float32Array(maxPositions * headDim);
    for (let t = 0; t < maxPositions; t++) {
      for (let i = 0; i < headDim; i++) {
        const angle = f(t * invFreq[i % half]);
        cos[t * headDim + i] = Math.cos(angle);
        sin[t * headDim + i] = Math.sin(angle);
      }
    }
    this.cos = tf.keep(tf.tensor2d(cos, [maxPositions, headDim]));
    this.sin = tf.keep(tf.tensor2d(sin, [maxPositions, headDim]));
  }

  dispose(): void {
    this.cos.dispose();
    this.sin.dispose();
  }
}

/**
 * [x1, x2] -> [-x2, x1] on the last axis, as a product with a signed permutation matrix
 * (exact: one ±1 term per output), because splitting the last axis is slow on TF.js's cpu
 * backend.
 */
function rotateHalf(x: tf.Tensor): tf.Tensor {
  const d = x.shape[x.shape.length - 1];
  const half = d / 2;
  const r = new Float32Array(d * d); // r[i][j]: input channel i -> output channel j
  for (let j = 0; j < half; j++) {
    r[(j + half) * d + j] = -1;
    r[j * d + j + half] = 1;
  }
  return tf.reshape(tf.matMul(tf.reshape(x, [-1, d]), tf.tensor2d(r, [d, d])), x.shape);
}

/** x [B, S, heads, headDim] rotated by position; the tables may be longer than S. */
export function applyRotary(x: tf.Tensor, { cos, sin }: CosSin): tf.Tensor {
  return tf.tidy(() => {
    const [, s, , d] = x.shape;
    const c = tf.reshape(tf.slice(cos, [0, 0], [s, d]), [s, 1, d]);
    const sn = tf.reshape(tf.slice(sin, [0, 0], [s, d]), [s, 1, d]);
    return tf.add(tf.mul(x, c), tf.mul(rotateHalf(x), sn));
  });
}

/**
 * Learned absolute positions (`embed_pos.embedding_weight [S, H]`): added to the input
 * embedding and scaled by 1/√2 (the reference writes 0.707106781, the same float32) to keep the variance.
 */
export class LearnedPositionEmbedding extends Embedding {
  constructor(positions: number, dim: number, opts: { initStd: number; rng: Rng }) {
    super(positions, dim, opts);
  }

  /** x [B, S, H] -> [B, S, H] */
  add(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.mul(tf.add(x, this.weight), Math.SQRT1_2));
  }
}

/** Non-causal multi-head self-attention with one fused `qkv_proj` and an `o_proj`. */
export class Attention extends Module {
  readonly qkv: Linear; // [3 * heads * headDim, H]
  readonly out: Linear; // [H, heads * headDim]
  readonly numHeads: number;
  readonly headDim: number;

  constructor(opts: { hiddenSize: number; headDim: number; numHeads: number; rng: Rng }) {
    super();
    this.numHeads = opts.numHeads;
    this.headDim = opts.headDim;
    const inner = opts.numHeads * opts.headDim;
    this.qkv = this.child(
      'qkv_proj',
      new Linear(opts.hiddenSize, 3 * inner, { bias: false, rng: opts.rng }),
    );
    this.out = this.child(
      'o_proj',
      new Linear(inner, opts.hiddenSize, { bias: false, rng: opts.rng }),
    );
  }

  /** x [B, S, H], optional rotary tables -> [B, S, H] */
  apply(x: tf.Tensor, rope?: CosSin): tf.Tensor {
    return tf.tidy(() => {
      // The fused kernel reads q, k and v from the packed projection and takes empty
      // tables for no RoPE (it always has both inputs, which its gradient saves).
      const o = fusedOr(
        'RrmAttention',
        () => {
          const { cos, sin } = rope ?? { cos: tf.zeros([0]), sin: tf.zeros([0]) };
          return { qkv: this.qkv.apply(x), cos, sin };
        },
        { numHeads: this.numHeads },
        () => this.attend(x, rope),
      );
      return this.out.apply(o);
    });
  }

  /** The attention before o_proj from primitive ops: x [B, S, H] -> [B, S, heads · headDim] */
  private attend(x: tf.Tensor, rope?: CosSin): tf.Tensor {
    const [b, s] = x.shape;
    const heads = [b, s, this.numHeads, this.headDim];
    let [q, k, v] = this.qkv.applySplit(x, 3).map((t) => tf.reshape(t, heads));
    if (rope) {
      q = applyRotary(q, rope);
      k = applyRotary(k, rope);
    }
    // [B, heads, S, headDim]
    const [qh, kh, vh] = [q, k, v].map((t) => tf.transpose(t, [0, 2, 1, 3]));
    const scores = tf.mul(tf.matMul(qh, kh, false, true), 1 / Math.sqrt(this.headDim)); // [B, heads, S, S]
    const o = tf.matMul(tf.softmax(scores, -1), vh); // [B, heads, S, headDim]
    return tf.reshape(tf.transpose(o, [0, 2, 1, 3]), [b, s, this.numHeads * this.headDim]);
  }
}
