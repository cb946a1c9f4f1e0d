import { engine, type GradConfig, type Tensor, type TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend, NativeKernel } from '../backend.js';
import { sizeOf } from '../layout.js';

// Fused kernels the `cpu` backend does not have. Model code runs them only when
// the active backend registers them (`tf.getKernel(name, tf.getBackend())`), and
// otherwise computes the same math from primitive ops.

/**
 * SwiGLU's gate on the packed projection x = [gate | up] (last axis 2n):
 * silu(gate) * up, last axis n. Reading both halves from one tensor saves the
 * split (or per-half weight slices) a composed version needs.
 */
export const SWIGLU = 'RrmSwiGLU';
export const SWIGLU_GRAD = 'RrmSwiGLUGrad';
/** RMS norm over the last axis without a learned scale: x / sqrt(mean(x²) + eps); attr `eps`. */
export const RMS_NORM = 'RrmRmsNorm';
export const RMS_NORM_GRAD = 'RrmRmsNormGrad';
/**
 * Non-causal multi-head self-attention on the packed projection `qkv` [B, S, 3·H·D]
 * (q, then k, then v, each H heads of D channels): softmax(q kᵀ / √D) v for every batch
 * and head, out [B, S, H·D]; attr `numHeads` (H). Inputs `cos`, `sin` [≥S, D] are RoPE
 * tables in the rotate-half layout, applied to q and k (they get no gradient); tables
 * without elements mean no RoPE. They are never optional because TF.js saves the inputs
 * a gradient needs by name, and a missing one fails there.
 */
export const ATTENTION = 'RrmAttention';
/** Inputs `dy` [B, S, H·D], `qkv`, `cos`, `sin` -> dqkv, packed like qkv. */
export const ATTENTION_GRAD = 'RrmAttentionGrad';

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

/** [B, S, H, D] of an attention call, or an error naming the kernel. */
function attentionDims(
  kernel: string,
  inputs: Partial<Record<string, TensorInfo>>,
  numHeads: unknown,
): number[] {
  const { qkv, cos, sin } = inputs;
  if (qkv === undefined || cos === undefined || sin === undefined) {
    throw new Error(
      `${kernel}: inputs qkv, cos and sin are required (cos and sin without elements for no RoPE)`,
    );
  }
  const H = numHeads as number;
  const [B, S, W] = qkv.shape;
  if (!Number.isInteger(H) || H < 1 || qkv.shape.length !== 3 || W === 0 || W % (3 * H) !== 0) {
    throw new Error(
      `${kernel}: qkv must be [B, S, 3·numHeads·headDim] with numHeads ${H}, got [${qkv.shape}]`,
    );
  }
  const D = W / (3 * H);
  const table = (t: TensorInfo) => t.shape.length === 2 && t.shape[0] >= S && t.shape[1] === D;
  if (
    (sizeOf(cos.shape) > 0 || sizeOf(sin.shape) > 0) &&
    !(D % 2 === 0 && table(cos) && table(sin))
  ) {
    throw new Error(
      `${kernel}: cos and sin must be [≥${S}, ${D}] with an even head size, or empty, got [${cos.shape}] and [${sin.shape}]`,
    );
  }
  return [B, S, H, D];
}

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

export const fusedKernels: Record<string, NativeKernel> = {
  [SWIGLU]: swiglu,
  [SWIGLU_GRAD]: swigluGrad,
  [RMS_NORM]: rmsNorm,
  [RMS_NORM_GRAD]: rmsNormGrad,
  [ATTENTION]: attention,
  [ATTENTION_GRAD]: attentionGrad,
};

/**
 * The backward recomputes sigmoid(gate) rather than saving it: with the AVX2 loops
 * that is cheaper than keeping one more activation per block alive.
 */
const swigluGradConfig: GradConfig = {
  kernelName: SWIGLU,
  inputsToSave: ['x'],
  gradFunc: (dy, [x]) => ({
    x: () => engine().runKernel(SWIGLU_GRAD, { dy: dy as Tensor, x }) as Tensor,
  }),
};

const rmsNormGradConfig: GradConfig = {
  kernelName: RMS_NORM,
  inputsToSave: ['x'],
  gradFunc: (dy, [x], attrs) => ({
    x: () => engine().runKernel(RMS_NORM_GRAD, { dy: dy as Tensor, x }, attrs) as Tensor,
  }),
};

const attentionGradConfig: GradConfig = {
  kernelName: ATTENTION,
  inputsToSave: ['qkv', 'cos', 'sin'],
  gradFunc: (dy, [qkv, cos, sin], attrs) => ({
    qkv: () =>
      engine().runKernel(ATTENTION_GRAD, { dy: dy as Tensor, qkv, cos, sin }, attrs) as Tensor,
  }),
};

export const fusedGradients: GradConfig[] = [
  swigluGradConfig,
  rmsNormGradConfig,
  attentionGradConfig,
];
