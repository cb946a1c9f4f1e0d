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

function floats(backend: NativeBackend, ...ts: TensorInfo[]): Float32Array[] | null {
  const values = ts.map((t) => (t.dtype === 'float32' ? backend.storage(t) : null));
  const same = ts.every((t) => t.shape.join() === ts[0].shape.join());
  return same && values.every((v) => v !== null) ? (values as Float32Array[]) : null;
}

/** silu(gate) * up for equally shaped float32 gate and up. */
const swiglu: NativeKernel = ({ inputs, backend }) => {
  const { gate, up } = inputs;
  const v = floats(backend, gate, up);
  if (v === null) throw new Error(`${SWIGLU}: gate and up must be float32 of one shape`);
  const out = backend.allocate('float32', v[0].length);
  if (out.length > 0) backend.native.swiglu(v[0], v[1], out);
  return backend.output(gate.shape, 'float32', out);
};

/** The gradient of `swiglu` with respect to `gate` or `up` (attr `wrt`), given dy. */
const swigluGrad: NativeKernel = ({ inputs, backend, attrs }) => {
  const { dy, gate, up } = inputs;
  const v = floats(backend, dy, gate, up);
  if (v === null) throw new Error(`${SWIGLU_GRAD}: dy, gate and up must be float32 of one shape`);
  const out = backend.allocate('float32', v[0].length);
  if (out.length > 0) backend.native.swigluGrad(v[0], v[1], v[2], out, attrs.wrt === 'gate');
  return backend.output(gate.shape, 'float32', out);
};

export const fusedKernels: Record<string, NativeKernel> = {
  [SWIGLU]: swiglu,
  [SWIGLU_GRAD]: swigluGrad,
};

/**
 * One SWIGLU_GRAD call per input: TF.js runs each input's gradient in its own
 * scope, so a kernel returning both would lose the second to the first's cleanup.
 */
export const swigluGradConfig: GradConfig = {
  kernelName: SWIGLU,
  inputsToSave: ['gate', 'up'],
  gradFunc: (dy, saved) => {
    const [gate, up] = saved;
    const grad = (wrt: 'gate' | 'up') => () =>
      engine().runKernel(SWIGLU_GRAD, { dy: dy as Tensor, gate, up }, { wrt }) as Tensor;
    return { gate: grad('gate'), up: grad('up') };
  },
};
