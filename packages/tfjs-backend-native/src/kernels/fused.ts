import { engine, type GradConfig, type Tensor, type TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend, NativeKernel } from '../backend.js';

/**
 * Fused kernels the `cpu` backend does not have. Model code runs them only when
 * the active backend registers them, e.g.
 * `tf.getKernel(SWIGLU, tf.getBackend()) ? tf.engine().runKernel(SWIGLU, { gate, up })
 * : tf.mul(tf.mul(gate, tf.sigmoid(gate)), up)`.
 */
export const SWIGLU = 'RrmSwiGLU';
export const SWIGLU_GRAD = 'RrmSwiGLUGrad';
/** RMS norm over the last axis without a learned scale: x / sqrt(mean(x²) + eps); attr `eps`. */
export const RMS_NORM = 'RrmRmsNorm';
export const RMS_NORM_GRAD = 'RrmRmsNormGrad';

function floats(backend: NativeBackend, ...ts: TensorInfo[]): Float32Array[] | null {
  const values = ts.map((t) => (t.dtype === 'float32' ? backend.storage(t) : null));
  const same = ts.every((t) => t.shape.join() === ts[0].shape.join());
  return same && values.every((v) => v !== null) ? (values as Float32Array[]) : null;
}

/** Inputs as float32 arrays of one shape, or an error naming the kernel. */
function sameFloats(backend: NativeBackend, kernel: string, inputs: TensorInfo[]): Float32Array[] {
  const v = floats(backend, ...inputs);
  if (v === null) throw new Error(`${kernel}: inputs must be float32 of one shape`);
  return v;
}

/** Runs `fill` into a fresh float32 output shaped like `like` (skipped when empty). */
function floatOutput(
  backend: NativeBackend,
  like: TensorInfo,
  fill: (out: Float32Array) => void,
): TensorInfo {
  const out = backend.allocate(
    'float32',
    like.shape.reduce((a, b) => a * b, 1),
  );
  if (out.length > 0) fill(out);
  return backend.output(like.shape, 'float32', out);
}

/** silu(gate) * up for equally shaped float32 gate and up. */
const swiglu: NativeKernel = ({ inputs, backend }) => {
  const [gate, up] = sameFloats(backend, SWIGLU, [inputs.gate, inputs.up]);
  return floatOutput(backend, inputs.gate, (out) => backend.native.swiglu(gate, up, out));
};

/** The gradient of `swiglu` with respect to `gate` or `up` (attr `wrt`), given dy. */
const swigluGrad: NativeKernel = ({ inputs, backend, attrs }) => {
  const [dy, gate, up] = sameFloats(backend, SWIGLU_GRAD, [inputs.dy, inputs.gate, inputs.up]);
  return floatOutput(backend, inputs.gate, (out) =>
    backend.native.swigluGrad(dy, gate, up, out, attrs.wrt === 'gate'),
  );
};

const lastAxis = (t: TensorInfo) => (t.shape.length === 0 ? 1 : t.shape[t.shape.length - 1]);

const rmsNorm: NativeKernel = ({ inputs, backend, attrs }) => {
  const [x] = sameFloats(backend, RMS_NORM, [inputs.x]);
  return floatOutput(backend, inputs.x, (out) =>
    backend.native.rmsNorm(x, out, lastAxis(inputs.x), attrs.eps as number),
  );
};

/** d rmsNorm(x) / dx applied to dy; recomputes the row norms from x (one cheap pass). */
const rmsNormGrad: NativeKernel = ({ inputs, backend, attrs }) => {
  const [dy, x] = sameFloats(backend, RMS_NORM_GRAD, [inputs.dy, inputs.x]);
  return floatOutput(backend, inputs.x, (out) =>
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
 * One SWIGLU_GRAD call per input: TF.js runs each input's gradient in its own
 * scope, so a kernel returning both would lose the second to the first's cleanup.
 * The backward recomputes sigmoid(gate) rather than saving it: with the AVX2
 * loops that is cheaper than keeping one more activation per block alive.
 */
const swigluGradConfig: GradConfig = {
  kernelName: SWIGLU,
  inputsToSave: ['gate', 'up'],
  gradFunc: (dy, saved) => {
    const [gate, up] = saved;
    const grad = (wrt: 'gate' | 'up') => () =>
      engine().runKernel(SWIGLU_GRAD, { dy: dy as Tensor, gate, up }, { wrt }) as Tensor;
    return { gate: grad('gate'), up: grad('up') };
  },
};

const rmsNormGradConfig: GradConfig = {
  kernelName: RMS_NORM,
  inputsToSave: ['x'],
  gradFunc: (dy, [x], attrs) => ({
    x: () => engine().runKernel(RMS_NORM_GRAD, { dy: dy as Tensor, x }, attrs) as Tensor,
  }),
};

export const fusedGradients: GradConfig[] = [swigluGradConfig, rmsNormGradConfig];
