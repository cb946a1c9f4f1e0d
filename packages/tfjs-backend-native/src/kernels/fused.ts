import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { Dims7, Floats5, Floats7 } from '../addon.js';
import type { NativeBackend, NativeKernel } from '../backend.js';
import {
  ATTENTION,
  ATTENTION_BLOCK,
  ATTENTION_BLOCK_GRAD,
  ATTENTION_GRAD,
  attentionDims,
  MLP_BLOCK,
  MLP_BLOCK_GRAD,
  RMS_NORM,
  RMS_NORM_GRAD,
  SWIGLU,
  SWIGLU_GRAD,
} from '../contract.js';
import { sizeOf } from '../layout.js';

// Fused kernels the `cpu` backend does not have. Model code runs them only when
// the active backend registers them (`tf.getKernel(name, tf.getBackend())`), and
// otherwise computes the same math from primitive ops.

/** The inputs' float32 arrays, or an error naming the kernel. */
function floats(backend: NativeBackend, kernel: string, inputs: TensorInfo[]): Float32Array[] {
  return inputs.map((t) => {
    const v = t.dtype === 'float32' ? backend.storage(t) : null;
    if (v === null) throw new Error(`${kernel}: inputs must be float32, got ${t.dtype}`);
    return v as Float32Array;
  });
}

/** Runs `fill` into a fresh float32 output of `shape` (skipped when empty). */
function floatOutput(
  backend: NativeBackend,
  shape: number[],
  fill: (out: Float32Array) => void,
): TensorInfo {
  const out = backend.allocate('float32', sizeOf(shape));
  if (out.length > 0) fill(out);
  return backend.output(shape, 'float32', out);
}

const lastAxis = (t: TensorInfo) => (t.shape.length === 0 ? 1 : t.shape[t.shape.length - 1]);

/** x [..., 2n] -> [..., n] */
const swiglu: NativeKernel = ({ inputs, backend }) => {
  const { x } = inputs;
  const twoN = lastAxis(x);
  if (x.shape.length === 0 || twoN % 2 !== 0) {
    throw new Error(`${SWIGLU}: x must have an even last axis [..., 2n], got [${x.shape}]`);
  }
  const [xv] = floats(backend, SWIGLU, [x]);
  const shape = [...x.shape.slice(0, -1), twoN / 2];
  return floatOutput(backend, shape, (out) => backend.native.swiglu(xv, out, twoN / 2));
};

/** dy [..., n], x [..., 2n] -> dx [..., 2n] */
const swigluGrad: NativeKernel = ({ inputs, backend }) => {
  const { dy, x } = inputs;
  const [dyv, xv] = floats(backend, SWIGLU_GRAD, [dy, x]);
  return floatOutput(backend, x.shape, (out) =>
    backend.native.swigluGrad(dyv, xv, out, lastAxis(dy)),
  );
};

const rmsNorm: NativeKernel = ({ inputs, backend, attrs }) => {
  const [x] = floats(backend, RMS_NORM, [inputs.x]);
  return floatOutput(backend, inputs.x.shape, (out) =>
    backend.native.rmsNorm(x, out, lastAxis(inputs.x), attrs.eps as number),
  );
};

/** d rmsNorm(x) / dx applied to dy; recomputes the row norms from x (one cheap pass). */
const rmsNormGrad: NativeKernel = ({ inputs, backend, attrs }) => {
  const [dy, x] = floats(backend, RMS_NORM_GRAD, [inputs.dy, inputs.x]);
  return floatOutput(backend, inputs.x.shape, (out) =>
    backend.native.rmsNormGrad(dy, x, out, lastAxis(inputs.x), attrs.eps as number),
  );
};

const attention: NativeKernel = ({ inputs, backend, attrs }) => {
  const [B, S, H, D] = attentionDims(ATTENTION, inputs, attrs.numHeads);
  const [qkv, cos, sin] = floats(backend, ATTENTION, [inputs.qkv, inputs.cos, inputs.sin]);
  return floatOutput(backend, [B, S, H * D], (out) =>
    backend.native.attention(qkv, cos, sin, out, B, S, H, D),
  );
};

/** Recomputes the attention weights from qkv rather than keeping [B, H, S, S] from the forward. */
const attentionGrad: NativeKernel = ({ inputs, backend, attrs }) => {
  const [B, S, H, D] = attentionDims(ATTENTION_GRAD, inputs, attrs.numHeads);
  const { dy } = inputs;
  if (dy.shape.length !== 3 || dy.shape.some((n, i) => n !== [B, S, H * D][i])) {
    throw new Error(`${ATTENTION_GRAD}: dy must be [${[B, S, H * D]}], got [${dy.shape}]`);
  }
  const [dyv, qkv, cos, sin] = floats(backend, ATTENTION_GRAD, [
    dy,
    inputs.qkv,
    inputs.cos,
    inputs.sin,
  ]);
  return floatOutput(backend, inputs.qkv.shape, (out) =>
    backend.native.attentionGrad(dyv, qkv, cos, sin, out, B, S, H, D),
  );
};

const MLP_WEIGHTS = ['tokenGateUp', 'tokenDown', 'gateUp', 'down'] as const;
const sameShape = (a: number[], b: number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);
const MLP_ACTIVATIONS = ['tokenProj', 'tokenSum', 'proj', 'sum'] as const;

/** [B, S, D, m, n] of an MLP block call, or an error naming the kernel and the shapes. */
function mlpBlockDims(kernel: string, inputs: Partial<Record<string, TensorInfo>>): number[] {
  const { h, tokenGateUp, tokenDown, gateUp, down } = inputs;
  if (!h || !tokenGateUp || !tokenDown || !gateUp || !down) {
    throw new Error(`${kernel}: inputs h, ${MLP_WEIGHTS.join(', ')} are required`);
  }
  const [B, S, D] = h.shape;
  const m = tokenGateUp.shape[0] / 2;
  const n = gateUp.shape[0] / 2;
  const is = (t: TensorInfo, shape: number[]) => sameShape(t.shape, shape);
  if (
    h.shape.length !== 3 ||
    !Number.isInteger(m) ||
    !Number.isInteger(n) ||
    !is(tokenGateUp, [2 * m, S]) ||
    !is(tokenDown, [S, m]) ||
    !is(gateUp, [2 * n, D]) ||
    !is(down, [D, n])
  ) {
    throw new Error(
      `${kernel}: h must be [B, S, D] and the weights [2m, S], [S, m], [2n, D], [D, n], got ` +
        [h, tokenGateUp, tokenDown, gateUp, down].map((t) => `[${t.shape}]`).join(', '),
    );
  }
  return [B, S, D, m, n];
}

/** The activations' shapes for dims [B, S, D, m, n], in MLP_ACTIVATIONS order. */
const activationShapes = ([B, S, D, m, n]: number[]) => [
  [B, 2 * m, D],
  [B, S, D],
  [B, S, 2 * n],
  [B, S, D],
];

/** h [B, S, D] -> y [B, S, D], and with attr `train` the activations its gradient reads. */
const mlpBlock: NativeKernel = ({ inputs, backend, attrs }) => {
  const dims = mlpBlockDims(MLP_BLOCK, inputs);
  const [B, S, D, m, n] = dims;
  const { h } = inputs;
  const v = floats(backend, MLP_BLOCK, [h, ...MLP_WEIGHTS.map((k) => inputs[k])]);
  const eps = attrs.eps as number;
  const y = backend.allocate('float32', B * S * D);
  if (!attrs.train) {
    if (y.length > 0) backend.native.mlpBlock(v[0], v[1], v[2], v[3], v[4], y, B, S, D, m, n, eps);
    return backend.output(h.shape, 'float32', y);
  }
  const shapes = activationShapes(dims);
  const acts = shapes.map((shape) => backend.allocate('float32', sizeOf(shape))) as [
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  if (y.length > 0) {
    backend.native.mlpBlock(v[0], v[1], v[2], v[3], v[4], y, B, S, D, m, n, eps, ...acts);
  }
  return [
    backend.output(h.shape, 'float32', y),
    ...acts.map((a, i) => backend.output(shapes[i], 'float32', a)),
  ];
};

/** dy, h, the weights and the activations -> dh and the four weight gradients. */
const mlpBlockGrad: NativeKernel = ({ inputs, backend, attrs }) => {
  const dims = mlpBlockDims(MLP_BLOCK_GRAD, inputs);
  const [B, S, D, m, n] = dims;
  const names = ['dy', ...MLP_ACTIVATIONS];
  const shapes = [[B, S, D], ...activationShapes(dims)];
  const named = names.map((name, i) => {
    const t = inputs[name];
    if (t === undefined || !sameShape(t.shape, shapes[i])) {
      throw new Error(
        `${MLP_BLOCK_GRAD}: ${name} must be [${shapes[i]}], got ${t ? `[${t.shape}]` : 'nothing'}`,
      );
    }
    return t;
  });
  const sources = [inputs.h, ...MLP_WEIGHTS.map((k) => inputs[k])] as TensorInfo[];
  const ins = floats(backend, MLP_BLOCK_GRAD, sources) as Floats5;
  const saved = floats(backend, MLP_BLOCK_GRAD, named) as Floats5;
  const grads = ins.map((v) => backend.allocate('float32', v.length) as Float32Array) as Floats5;
  backend.native.mlpBlockGrad(...ins, ...saved, B, S, D, m, n, attrs.eps as number, ...grads);
  return grads.map((g, i) => backend.output(sources[i].shape, 'float32', g));
};

const ATTENTION_INPUTS = ['h', 'qkvProj', 'oProj', 'cos', 'sin', 'gateUp', 'down'] as const;
const ATTENTION_ACTIVATIONS = ['qkv', 'heads', 'attnSum', 'proj', 'sum'] as const;

/** [B, S, D, H, hd, n] of an attention block call, or an error naming the kernel and the shapes. */
function attentionBlockDims(
  kernel: string,
  inputs: Partial<Record<string, TensorInfo>>,
  numHeads: unknown,
): number[] {
  const missing = ATTENTION_INPUTS.filter((k) => inputs[k] === undefined);
  if (missing.length > 0) {
    throw new Error(`${kernel}: inputs ${ATTENTION_INPUTS.join(', ')} are required`);
  }
  const [h, qkvProj, oProj, cos, sin, gateUp, down] = ATTENTION_INPUTS.map(
    (k) => inputs[k] as TensorInfo,
  );
  const H = numHeads as number;
  const [B, S, D] = h.shape;
  const hd = qkvProj.shape[0] / (3 * H);
  const n = gateUp.shape[0] / 2;
  const table = (t: TensorInfo) =>
    sizeOf(t.shape) === 0 || (t.shape.length === 2 && t.shape[0] >= S && t.shape[1] === hd);
  if (
    h.shape.length !== 3 ||
    !Number.isInteger(H) ||
    H < 1 ||
    !Number.isInteger(hd) ||
    !Number.isInteger(n) ||
    !sameShape(qkvProj.shape, [3 * H * hd, D]) ||
    !sameShape(oProj.shape, [D, H * hd]) ||
    !sameShape(gateUp.shape, [2 * n, D]) ||
    !sameShape(down.shape, [D, n]) ||
    !table(cos) ||
    !table(sin)
  ) {
    throw new Error(
      `${kernel}: h must be [B, S, D] and qkvProj [3·numHeads·hd, D], oProj [D, numHeads·hd], cos and sin [≥S, hd] or empty, gateUp [2n, D], down [D, n] with numHeads ${H}, got ` +
        [h, qkvProj, oProj, cos, sin, gateUp, down].map((t) => `[${t.shape}]`).join(', '),
    );
  }
  return [B, S, D, H, hd, n];
}

/** The activations' shapes for dims [B, S, D, H, hd, n], in ATTENTION_ACTIVATIONS order. */
const attentionActivationShapes = ([B, S, D, H, hd, n]: number[]) => [
  [B, S, 3 * H * hd],
  [B, S, H * hd],
  [B, S, D],
  [B, S, 2 * n],
  [B, S, D],
];

/** h [B, S, D] -> y [B, S, D], and with attr `train` the activations its gradient reads. */
const attentionBlock: NativeKernel = ({ inputs, backend, attrs }) => {
  const dims = attentionBlockDims(ATTENTION_BLOCK, inputs, attrs.numHeads);
  const ins = floats(
    backend,
    ATTENTION_BLOCK,
    ATTENTION_INPUTS.map((k) => inputs[k] as TensorInfo),
  ) as Floats7;
  const args = [...dims, attrs.eps as number] as Dims7;
  const { shape } = inputs.h as TensorInfo;
  const y = backend.allocate('float32', sizeOf(shape)) as Float32Array;
  if (!attrs.train) {
    if (y.length > 0) backend.native.attentionBlock(...ins, y, ...args);
    return backend.output(shape, 'float32', y);
  }
  const shapes = attentionActivationShapes(dims);
  const acts = shapes.map((s) => backend.allocate('float32', sizeOf(s)) as Float32Array) as Floats5;
  if (y.length > 0) backend.native.attentionBlock(...ins, y, ...args, ...acts);
  return [
    backend.output(shape, 'float32', y),
    ...acts.map((a, i) => backend.output(shapes[i], 'float32', a)),
  ];
};

/** dy, the forward's inputs and its activations -> dh and the four weight gradients. */
const attentionBlockGrad: NativeKernel = ({ inputs, backend, attrs }) => {
  const dims = attentionBlockDims(ATTENTION_BLOCK_GRAD, inputs, attrs.numHeads);
  const [B, S, D] = dims;
  const names = ['dy', ...ATTENTION_ACTIVATIONS];
  const shapes = [[B, S, D], ...attentionActivationShapes(dims)];
  const named = names.map((name, i) => {
    const t = inputs[name];
    if (t === undefined || !sameShape(t.shape, shapes[i])) {
      throw new Error(
        `${ATTENTION_BLOCK_GRAD}: ${name} must be [${shapes[i]}], got ${t ? `[${t.shape}]` : 'nothing'}`,
      );
    }
    return t;
  });
  const sources = ATTENTION_INPUTS.map((k) => inputs[k] as TensorInfo);
  const ins = floats(backend, ATTENTION_BLOCK_GRAD, sources) as Floats7;
  const [dy, ...acts] = floats(backend, ATTENTION_BLOCK_GRAD, named);
  const targets = [0, 1, 2, 5, 6].map((i) => sources[i]); // h and the four weights
  const grads = targets.map(
    (t) => backend.allocate('float32', sizeOf(t.shape)) as Float32Array,
  ) as Floats5;
  const args = [...dims, attrs.eps as number] as Dims7;
  backend.native.attentionBlockGrad(...ins, dy, ...(acts as Floats5), ...args, ...grads);
  return grads.map((g, i) => backend.output(targets[i].shape, 'float32', g));
};

export const fusedKernels: Record<string, NativeKernel> = {
  [SWIGLU]: swiglu,
  [SWIGLU_GRAD]: swigluGrad,
  [RMS_NORM]: rmsNorm,
  [RMS_NORM_GRAD]: rmsNormGrad,
  [ATTENTION]: attention,
  [ATTENTION_GRAD]: attentionGrad,
  [MLP_BLOCK]: mlpBlock,
  [MLP_BLOCK_GRAD]: mlpBlockGrad,
  [ATTENTION_BLOCK]: attentionBlock,
  [ATTENTION_BLOCK_GRAD]: attentionBlockGrad,
};
