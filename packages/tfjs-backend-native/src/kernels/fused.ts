import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend, NativeKernel } from '../backend.js';
import {
  ATTENTION,
  ATTENTION_GRAD,
  attentionDims,
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
export function floats(
  backend: NativeBackend,
  kernel: string,
  inputs: TensorInfo[],
): Float32Array[] {
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

export const fusedKernels: Record<string, NativeKernel> = {
  [SWIGLU]: swiglu,
  [SWIGLU_GRAD]: swigluGrad,
  [RMS_NORM]: rmsNorm,
  [RMS_NORM_GRAD]: rmsNormGrad,
  [ATTENTION]: attention,
  [ATTENTION_GRAD]: attentionGrad,
};
