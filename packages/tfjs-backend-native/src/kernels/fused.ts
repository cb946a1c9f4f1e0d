import { engine, type GradConfig, type Tensor, type TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend, NativeKernel } from '../backend.js';

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
  const out = backend.allocate(
    'float32',
    shape.reduce((a, b) => a * b, 1),
  );
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

export const fusedKernels: Record<string, NativeKernel> = {
  [SWIGLU]: swiglu,
  [SWIGLU_GRAD]: swigluGrad,
  [RMS_NORM]: rmsNorm,
  [RMS_NORM_GRAD]: rmsNormGrad,
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

export const fusedGradients: GradConfig[] = [swigluGradConfig, rmsNormGradConfig];
