/**
 * The fused kernels of @rrm/layers' contract (RrmSwiGLU, RrmRmsNorm, RrmAttention and
 * their gradients) as WGSL programs for TF.js's `webgpu` backend, in Node and in the
 * browser. Programs index their storage arrays directly; TF.js's shader preamble supplies
 * the bindings, the `uniforms` struct and `getGlobalIndex()`.
 */

import {
  ATTENTION,
  ATTENTION_GRAD,
  attentionDims,
  RMS_NORM,
  RMS_NORM_GRAD,
  registerFusedGradients,
  SWIGLU,
  SWIGLU_GRAD,
} from '@rrm/tfjs-backend-native/contract';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import {
  getKernel,
  type KernelFunc,
  registerKernel,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';

type Program = Parameters<WebGPUBackend['runWebGPUProgram']>[0];
type Uniforms = NonNullable<Parameters<WebGPUBackend['runWebGPUProgram']>[3]>;

const MAX_GROUPS = 65535; // per dispatch dimension (the spec's default limit)

/**
 * A program of `threads` invocations in workgroups of `wg`, spread over x and y when
 * there are more groups than one dimension holds; `getGlobalIndex()` linearises them.
 */
function program(
  key: string,
  variableNames: string[],
  outputShape: number[],
  threads: number,
  uniforms: string,
  body: string,
  wg = 64,
): Program {
  const groups = Math.max(1, Math.ceil(threads / wg));
  const y = Math.ceil(groups / MAX_GROUPS);
  return {
    shaderKey: `rrm_${key}`,
    variableNames,
    outputShape,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [Math.min(groups, MAX_GROUPS), y, 1],
    workgroupSize: [wg, 1, 1],
    uniforms,
    getUserCode: () => body,
  };
}

const int = (...data: number[]): Uniforms[number] => ({ type: 'int32', data });
const float = (...data: number[]): Uniforms[number] => ({ type: 'float32', data });

function floatInputs(kernel: string, inputs: TensorInfo[]): void {
  for (const t of inputs) {
    if (t.dtype !== 'float32') throw new Error(`${kernel}: inputs must be float32, got ${t.dtype}`);
  }
}

const lastAxis = (t: TensorInfo) => (t.shape.length === 0 ? 1 : t.shape[t.shape.length - 1]);

const SIGMOID = 'fn sigm(g : f32) -> f32 { return 1.0 / (1.0 + exp(-g)); }';

// One invocation per output element: silu(gate) · up from the packed [gate | up] rows.
const SWIGLU_WGSL = `${SIGMOID}
fn main(index : i32) {
  if (index < uniforms.total) {
    let n = uniforms.n;
    let base = (index / n) * 2 * n + index % n;
    let g = X[base];
    result[index] = g * sigm(g) * X[base + n];
  }
}`;

// One invocation per element of dx, packed like x: d/dgate in the first half of each row.
const SWIGLU_GRAD_WGSL = `${SIGMOID}
fn main(index : i32) {
  if (index < uniforms.total) {
    let n = uniforms.n;
    let row = index / (2 * n);
    let c = index % (2 * n);
    let gate = row * 2 * n + c % n;
    let g = X[gate];
    let s = sigm(g);
    let dy = DY[row * n + c % n];
    if (c < n) {
      result[index] = dy * X[gate + n] * s * (1.0 + g * (1.0 - s));
    } else {
      result[index] = dy * g * s;
    }
  }
}`;

/**
 * One workgroup of 64 per row: strided partial sums, a tree reduction in workgroup
 * memory, then every lane writes its columns. Barriers sit outside the per-row branch,
 * as WGSL's uniformity rules require. `grad` adds the second sum, Σ dy·x.
 */
function rmsNormWgsl(grad: boolean): string {
  return `
var<workgroup> xx : array<f32, 64>;
${grad ? 'var<workgroup> dx : array<f32, 64>;' : ''}
fn main(index : i32) {
  let row = index / 64;
  let lane = index % 64;
  let live = row < uniforms.rows;
  let n = uniforms.n;
  let base = row * n;
  var s = 0.0;
  var t = 0.0;
  if (live) {
    for (var c = lane; c < n; c += 64) {
      let v = X[base + c];
      s += v * v;
      ${grad ? 't += DY[base + c] * v;' : ''}
    }
  }
  xx[lane] = s;
  ${grad ? 'dx[lane] = t;' : ''}
  workgroupBarrier();
  for (var w = 32; w > 0; w = w / 2) {
    if (lane < w) {
      xx[lane] += xx[lane + w];
      ${grad ? 'dx[lane] += dx[lane + w];' : ''}
    }
    workgroupBarrier();
  }
  let r = inverseSqrt(xx[0] / f32(n) + uniforms.eps);
  ${grad ? 'let k = r * r * r * dx[0] / f32(n);' : ''}
  if (live) {
    for (var c = lane; c < n; c += 64) {
      ${grad ? 'result[base + c] = r * DY[base + c] - k * X[base + c];' : 'result[base + c] = X[base + c] * r;'}
    }
  }
}`;
}

/**
 * Attention helpers for head size D (a compile-time constant, so rows live in private
 * arrays): a q/k/v row of head h at position p, RoPE'd (rotate-half layout) when the
 * tables are bound, and RoPE's transpose for gradients.
 */
function attentionCommon(D: number, rope: boolean): string {
  const H2 = D / 2;
  return `
const D = ${D};
alias Row = array<f32, ${D}>;
fn qkvRow(b : i32, p : i32, part : i32, h : i32) -> Row {
  let base = (b * uniforms.seq + p) * 3 * uniforms.heads * D + (part * uniforms.heads + h) * D;
  var x : Row;
  for (var c = 0; c < D; c++) { x[c] = QKV[base + c]; }
  ${
    rope
      ? `if (part == 2) { return x; }
  var y : Row;
  for (var c = 0; c < D; c++) {
    var r : f32;
    if (c < ${H2}) { r = -x[c + ${H2}]; } else { r = x[c - ${H2}]; }
    y[c] = x[c] * COS[p * D + c] + r * SIN[p * D + c];
  }
  return y;`
      : 'return x;'
  }
}
fn unrope(g : Row, p : i32) -> Row {
  ${
    rope
      ? `var y : Row;
  for (var c = 0; c < D; c++) {
    var r : f32;
    if (c < ${H2}) { r = g[c + ${H2}] * SIN[p * D + c + ${H2}]; } else { r = -g[c - ${H2}] * SIN[p * D + c - ${H2}]; }
    y[c] = g[c] * COS[p * D + c] + r;
  }
  return y;`
      : 'return g;'
  }
}
fn dotRows(a : Row, b : Row) -> f32 {
  var s = 0.0;
  for (var c = 0; c < D; c++) { s += a[c] * b[c]; }
  return s;
}
// One query row's softmax over the keys, online: o (normalised), and logsumexp.
struct Softmaxed { o : Row, lse : f32 };
fn attendRow(b : i32, i : i32, h : i32) -> Softmaxed {
  let q = qkvRow(b, i, 0, h);
  var m = -3.0e38;
  var l = 0.0;
  var acc : Row;
  for (var j = 0; j < uniforms.seq; j++) {
    let s = dotRows(q, qkvRow(b, j, 1, h)) * uniforms.scale;
    let m2 = max(m, s);
    let keep = exp(m - m2);
    let p = exp(s - m2);
    let v = qkvRow(b, j, 2, h);
    l = l * keep + p;
    for (var c = 0; c < D; c++) { acc[c] = acc[c] * keep + p * v[c]; }
    m = m2;
  }
  for (var c = 0; c < D; c++) { acc[c] = acc[c] / l; }
  return Softmaxed(acc, m + log(l));
}`;
}

/** A main of one invocation per (batch b, head h, query i), with `r` that row's softmax. */
const perQuery = (body: string) => `
fn main(index : i32) {
  let S = uniforms.seq;
  let H = uniforms.heads;
  if (index < uniforms.batch * H * S) {
    let i = index % S;
    let h = (index / S) % H;
    let b = index / (S * H);
    let r = attendRow(b, i, h);
    ${body}
  }
}`;

// Forward: out [B, S, H·D].
const ATTENTION_WGSL = perQuery(`let base = (b * S + i) * H * D + h * D;
    for (var c = 0; c < D; c++) { result[base + c] = r.o[c]; }`);

// The backward passes' rows of dO (the forward binds no DY).
const DY_ROW = `
fn dyRow(b : i32, i : i32, h : i32) -> Row {
  let base = (b * uniforms.seq + i) * uniforms.heads * D + h * D;
  var x : Row;
  for (var c = 0; c < D; c++) { x[c] = DY[base + c]; }
  return x;
}
`;

// Backward, pass 1: per (batch, head, query) the logsumexp and Δ = dO·O, [B, H, S, 2].
const ATTENTION_STATS_WGSL =
  DY_ROW +
  perQuery(`result[index * 2] = r.lse;
    result[index * 2 + 1] = dotRows(dyRow(b, i, h), r.o);`);

// Backward, pass 2: one invocation per row of dqkv (batch, position, q|k|v, head), each
// summing over the other axis of P = softmax(q kᵀ·scale) with dS = P ⊙ (dO vᵀ − Δ).
const ATTENTION_GRAD_WGSL = `${DY_ROW}
fn stat(b : i32, h : i32, i : i32, k : i32) -> f32 {
  return STATS[((b * uniforms.heads + h) * uniforms.seq + i) * 2 + k];
}
fn main(index : i32) {
  let S = uniforms.seq;
  let H = uniforms.heads;
  if (index < uniforms.batch * S * 3 * H) {
    let h = index % H;
    let part = (index / H) % 3;
    let p = (index / (3 * H)) % S;
    let b = index / (3 * H * S);
    var acc : Row;
    if (part == 0) {
      let q = qkvRow(b, p, 0, h);
      let dO = dyRow(b, p, h);
      let lse = stat(b, h, p, 0);
      let delta = stat(b, h, p, 1);
      for (var j = 0; j < S; j++) {
        let k = qkvRow(b, j, 1, h);
        let pr = exp(dotRows(q, k) * uniforms.scale - lse);
        let ds = pr * (dotRows(dO, qkvRow(b, j, 2, h)) - delta) * uniforms.scale;
        for (var c = 0; c < D; c++) { acc[c] += ds * k[c]; }
      }
      acc = unrope(acc, p);
    } else {
      let k = qkvRow(b, p, 1, h);
      let v = qkvRow(b, p, 2, h);
      for (var i = 0; i < S; i++) {
        let q = qkvRow(b, i, 0, h);
        let dO = dyRow(b, i, h);
        let pr = exp(dotRows(q, k) * uniforms.scale - stat(b, h, i, 0));
        if (part == 1) {
          let ds = pr * (dotRows(dO, v) - stat(b, h, i, 1)) * uniforms.scale;
          for (var c = 0; c < D; c++) { acc[c] += ds * q[c]; }
        } else {
          for (var c = 0; c < D; c++) { acc[c] += pr * dO[c]; }
        }
      }
      if (part == 1) { acc = unrope(acc, p); }
    }
    let base = (b * S + p) * 3 * H * D + (part * H + h) * D;
    for (var c = 0; c < D; c++) { result[base + c] = acc[c]; }
  }
}`;

type Args = {
  inputs: Record<string, TensorInfo>;
  backend: WebGPUBackend;
  attrs: Record<string, unknown>;
};

const swiglu = ({ inputs: { x }, backend }: Args): TensorInfo => {
  floatInputs(SWIGLU, [x]);
  const twoN = lastAxis(x);
  if (x.shape.length === 0 || twoN % 2 !== 0) {
    throw new Error(`${SWIGLU}: x must have an even last axis [..., 2n], got [${x.shape}]`);
  }
  const n = twoN / 2;
  const shape = [...x.shape.slice(0, -1), n];
  const total = util.sizeFromShape(shape);
  const p = program('swiglu', ['X'], shape, total, 'total : i32, n : i32,', SWIGLU_WGSL);
  return backend.runWebGPUProgram(p, [x], 'float32', [int(total), int(n)]);
};

const swigluGrad = ({ inputs: { dy, x }, backend }: Args): TensorInfo => {
  floatInputs(SWIGLU_GRAD, [dy, x]);
  const total = util.sizeFromShape(x.shape);
  const p = program(
    'swiglu_grad',
    ['DY', 'X'],
    x.shape,
    total,
    'total : i32, n : i32,',
    SWIGLU_GRAD_WGSL,
  );
  return backend.runWebGPUProgram(p, [dy, x], 'float32', [int(total), int(lastAxis(dy))]);
};

function rmsNormKernel(grad: boolean) {
  const name = grad ? RMS_NORM_GRAD : RMS_NORM;
  return ({ inputs, backend, attrs }: Args): TensorInfo => {
    const ins = grad ? [inputs.dy, inputs.x] : [inputs.x];
    floatInputs(name, ins);
    const { x } = inputs;
    const n = lastAxis(x);
    const rows = n === 0 ? 0 : util.sizeFromShape(x.shape) / n;
    const p = program(
      grad ? 'rms_norm_grad' : 'rms_norm',
      grad ? ['DY', 'X'] : ['X'],
      x.shape,
      rows * 64,
      'rows : i32, n : i32, eps : f32,',
      rmsNormWgsl(grad),
    );
    return backend.runWebGPUProgram(p, ins, 'float32', [
      int(rows),
      int(n),
      float(attrs.eps as number),
    ]);
  };
}

/** The tables are bound only when they hold elements (WebGPU binds no empty buffer). */
function attentionRun(
  backend: WebGPUBackend,
  key: string,
  body: string,
  head: TensorInfo[],
  qkv: TensorInfo,
  tables: TensorInfo[],
  outputShape: number[],
  threads: number,
  [B, S, H, D]: number[],
): TensorInfo {
  const rope = util.sizeFromShape(tables[0].shape) > 0;
  const names = ['DY', 'STATS'].slice(0, head.length);
  const p = program(
    `${key}_${D}_${rope ? 'rope' : 'plain'}`,
    [...names, 'QKV', ...(rope ? ['COS', 'SIN'] : [])],
    outputShape,
    threads,
    'batch : i32, seq : i32, heads : i32, scale : f32,',
    attentionCommon(D, rope) + body,
  );
  return backend.runWebGPUProgram(p, [...head, qkv, ...(rope ? tables : [])], 'float32', [
    int(B),
    int(S),
    int(H),
    float(Math.fround(1 / Math.sqrt(D))),
  ]);
}

const attention = ({ inputs, backend, attrs }: Args): TensorInfo => {
  const dims = attentionDims(ATTENTION, inputs, attrs.numHeads);
  const { qkv, cos, sin } = inputs;
  floatInputs(ATTENTION, [qkv, cos, sin]);
  const [B, S, H, D] = dims;
  // No dy yet: the forward's programs take only qkv and the tables.
  return attentionRun(
    backend,
    'attention',
    ATTENTION_WGSL,
    [],
    qkv,
    [cos, sin],
    [B, S, H * D],
    B * H * S,
    dims,
  );
};

/** Two passes: the rows' softmax statistics, then every row of dqkv from them. */
const attentionGrad = ({ inputs, backend, attrs }: Args): TensorInfo => {
  const dims = attentionDims(ATTENTION_GRAD, inputs, attrs.numHeads);
  const [B, S, H, D] = dims;
  const { dy, qkv, cos, sin } = inputs;
  floatInputs(ATTENTION_GRAD, [dy, qkv, cos, sin]);
  if (dy.shape.length !== 3 || dy.shape.some((n, i) => n !== [B, S, H * D][i])) {
    throw new Error(`${ATTENTION_GRAD}: dy must be [${[B, S, H * D]}], got [${dy.shape}]`);
  }
  const tables = [cos, sin];
  const stats = attentionRun(
    backend,
    'attention_stats',
    ATTENTION_STATS_WGSL,
    [dy],
    qkv,
    tables,
    [B, H, S, 2],
    B * H * S,
    dims,
  );
  try {
    return attentionRun(
      backend,
      'attention_grad',
      ATTENTION_GRAD_WGSL,
      [dy, stats],
      qkv,
      tables,
      qkv.shape,
      B * S * 3 * H,
      dims,
    );
  } finally {
    backend.disposeData(stats.dataId);
  }
};

const KERNELS: Record<string, (args: Args) => TensorInfo> = {
  [SWIGLU]: swiglu,
  [SWIGLU_GRAD]: swigluGrad,
  [RMS_NORM]: rmsNormKernel(false),
  [RMS_NORM_GRAD]: rmsNormKernel(true),
  [ATTENTION]: attention,
  [ATTENTION_GRAD]: attentionGrad,
};

/** Registers the fused kernels for the `webgpu` backend and their gradients. Idempotent. */
export function registerWebGpuKernels(): void {
  for (const [kernelName, kernel] of Object.entries(KERNELS)) {
    if (getKernel(kernelName, 'webgpu') !== undefined) continue;
    registerKernel({
      kernelName,
      backendName: 'webgpu',
      kernelFunc: kernel as unknown as KernelFunc,
    });
  }
  registerFusedGradients();
}
