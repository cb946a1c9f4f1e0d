import {
  Abs,
  Add,
  AddN,
  Atan,
  Atan2,
  Cast,
  Ceil,
  ClipByValue,
  Cos,
  Elu,
  Equal,
  Erf,
  Exp,
  Expm1,
  Fill,
  Floor,
  FloorDiv,
  Greater,
  GreaterEqual,
  LeakyRelu,
  Less,
  LessEqual,
  Log,
  Log1p,
  LogicalAnd,
  LogicalOr,
  Maximum,
  Minimum,
  Mod,
  Multiply,
  Neg,
  NotEqual,
  OneHot,
  OnesLike,
  Pow,
  RealDiv,
  Reciprocal,
  Relu,
  Relu6,
  Round,
  Rsqrt,
  Select,
  Selu,
  Sigmoid,
  Sign,
  Sin,
  Softplus,
  Sqrt,
  Square,
  SquaredDifference,
  Step,
  Sub,
  Tanh,
  type TensorInfo,
  ZerosLike,
} from '@tensorflow/tfjs-core';
import type { Storage } from '../addon.js';
import {
  isNativeDtype,
  type NativeBackend,
  type NativeDtype,
  type NativeKernel,
} from '../backend.js';
import { broadcastShape, broadcastStrides, collapse, sizeOf } from '../layout.js';

const arithmetic: Record<string, string> = {
  [Add]: 'add',
  [Sub]: 'sub',
  [Multiply]: 'mul',
  [RealDiv]: 'div',
  [Maximum]: 'maximum',
  [Minimum]: 'minimum',
  [Pow]: 'pow',
  [SquaredDifference]: 'squaredDifference',
  [Atan2]: 'atan2',
  [FloorDiv]: 'floorDiv',
  [Mod]: 'mod',
};
const intArithmetic = new Set([
  'add',
  'sub',
  'mul',
  'maximum',
  'minimum',
  'squaredDifference',
  'floorDiv',
  'mod',
  'pow',
]);
const comparisons: Record<string, string> = {
  [Equal]: 'equal',
  [NotEqual]: 'notEqual',
  [Less]: 'less',
  [LessEqual]: 'lessEqual',
  [Greater]: 'greater',
  [GreaterEqual]: 'greaterEqual',
};
const logical: Record<string, string> = { [LogicalAnd]: 'logicalAnd', [LogicalOr]: 'logicalOr' };

/** Output dtype of a native binary op on `dtype` inputs, or null when there is no native loop. */
function binaryDtype(op: string, dtype: string): 'float32' | 'int32' | 'bool' | null {
  if (Object.values(comparisons).includes(op)) return isNativeDtype(dtype as never) ? 'bool' : null;
  if (Object.values(logical).includes(op)) return dtype === 'bool' ? 'bool' : null;
  if (dtype === 'float32') return 'float32';
  return dtype === 'int32' && intArithmetic.has(op) ? 'int32' : null;
}

/**
 * Writes `op` of `a` and `b`, broadcast to `outShape`, into `out` (which may be
 * `a`'s own storage when `a` has that shape). False when the addon cannot
 * reproduce the cpu kernel's result (int32 pow beyond 2^53): `out` is then
 * incomplete and the caller falls back.
 */
export function binaryInto(
  backend: NativeBackend,
  op: string,
  a: Storage,
  aShape: readonly number[],
  b: Storage,
  bShape: readonly number[],
  outShape: readonly number[],
  out: Storage,
): boolean {
  if (out.length === 0) return true;
  const layout = collapse(outShape, [
    broadcastStrides(aShape, outShape),
    broadcastStrides(bShape, outShape),
  ]);
  const code = backend.native.binaryOps.indexOf(op);
  return backend.native.binary(code, a, b, out, layout.shape, layout.strides[0], layout.strides[1]);
}

/** `op` of `a` and `b` broadcast together, or null when their dtypes have no native loop. */
export function binary(
  backend: NativeBackend,
  op: string,
  a: TensorInfo,
  b: TensorInfo,
): TensorInfo | null {
  const av = backend.storage(a);
  const bv = backend.storage(b);
  const dtype = a.dtype === b.dtype ? binaryDtype(op, a.dtype) : null;
  if (av === null || bv === null || dtype === null) return null;
  const outShape = broadcastShape(a.shape, b.shape);
  const out = backend.allocate(dtype, sizeOf(outShape));
  if (!binaryInto(backend, op, av, a.shape, bv, b.shape, outShape, out)) return null;
  if (op === 'floorDiv' && dtype === 'float32') {
    // The cpu backend returns floor division as int32 whatever the inputs.
    const ints = backend.allocate('int32', out.length);
    backend.native.cast(out, ints);
    return backend.output(outShape, 'int32', ints);
  }
  return backend.output(outShape, dtype, out);
}

function binaryKernel(op: string): NativeKernel {
  return ({ inputs, backend }) => binary(backend, op, inputs.a, inputs.b);
}

type UnaryParams = (attrs: Record<string, unknown>) => [number, number];
const noParams: UnaryParams = () => [0, 0];

const unaryKernels: Record<string, [string, UnaryParams]> = {
  [Abs]: ['abs', noParams],
  [Neg]: ['neg', noParams],
  [Exp]: ['exp', noParams],
  [Log]: ['log', noParams],
  [Sqrt]: ['sqrt', noParams],
  [Rsqrt]: ['rsqrt', noParams],
  [Square]: ['square', noParams],
  [Sigmoid]: ['sigmoid', noParams],
  [Tanh]: ['tanh', noParams],
  [Relu]: ['relu', noParams],
  [Relu6]: ['relu6', noParams],
  [Elu]: ['elu', noParams],
  [Softplus]: ['softplus', noParams],
  [Log1p]: ['log1p', noParams],
  [Expm1]: ['expm1', noParams],
  [Sin]: ['sin', noParams],
  [Cos]: ['cos', noParams],
  [Floor]: ['floor', noParams],
  [Ceil]: ['ceil', noParams],
  [Round]: ['round', noParams],
  [Sign]: ['sign', noParams],
  [Reciprocal]: ['reciprocal', noParams],
  [Step]: ['step', (attrs) => [attrs.alpha as number, 0]],
  [LeakyRelu]: ['leakyRelu', (attrs) => [attrs.alpha as number, 0]],
  [ClipByValue]: ['clip', (attrs) => [attrs.clipValueMin as number, attrs.clipValueMax as number]],
  [Erf]: ['erf', noParams],
  [Selu]: ['selu', noParams],
  [Atan]: ['atan', noParams],
};

/** A float32 unary op written into `out` (which may be the input's own storage). */
export function unaryInto(
  backend: NativeBackend,
  op: string,
  x: Float32Array,
  out: Float32Array,
  p = 0,
  q = 0,
): void {
  if (x.length > 0) backend.native.unary(backend.native.unaryOps.indexOf(op), x, out, p, q);
}

function unaryKernel(op: string, params: UnaryParams): NativeKernel {
  return ({ inputs, backend, attrs }) => {
    const x = inputs.x;
    const xv = backend.storage(x);
    if (x.dtype !== 'float32' || xv === null) return null;
    const out = backend.allocate('float32', xv.length);
    unaryInto(backend, op, xv as Float32Array, out, ...params(attrs));
    return backend.output(x.shape, 'float32', out);
  };
}

const cast: NativeKernel = ({ inputs, backend, attrs }) => {
  const x = inputs.x;
  const dtype = attrs.dtype as string;
  const xv = backend.storage(x);
  // Same-dtype casts stay with the cpu kernel, which shares the storage.
  if (xv === null || dtype === x.dtype || !isNativeDtype(dtype as never)) return null;
  const out = backend.allocate(dtype as NativeDtype, xv.length);
  backend.native.cast(xv, out);
  return backend.output(x.shape, dtype as 'float32', out);
};

const select: NativeKernel = ({ inputs, backend }) => {
  const { condition, t, e } = inputs;
  const cv = backend.storage(condition);
  const tv = backend.storage(t);
  const ev = backend.storage(e);
  if (cv === null || tv === null || ev === null || t.dtype !== e.dtype) return null;
  const out = backend.allocateLike(tv);
  if (out.length > 0) {
    backend.native.select(cv as Uint8Array, tv, ev, out, out.length / Math.max(cv.length, 1));
  }
  return backend.output(t.shape, t.dtype, out);
};

const addN: NativeKernel = ({ inputs, backend }) => {
  const xs = Object.values(inputs);
  const values = xs.map((x) => (x.dtype === 'float32' ? backend.storage(x) : null));
  if (values.some((v) => v === null)) return null;
  const out = backend.allocate('float32', values[0]!.length);
  if (out.length > 0) backend.native.addN(values as Float32Array[], out);
  return backend.output(xs[0].shape, 'float32', out);
};

const oneHot: NativeKernel = ({ inputs, backend, attrs }) => {
  const { indices } = inputs;
  const { depth, onValue, offValue, dtype } = attrs as {
    depth: number;
    onValue: number;
    offValue: number;
    dtype: string;
  };
  const iv = backend.storage(indices);
  if (!(iv instanceof Int32Array) || !isNativeDtype(dtype as never)) return null;
  const out = backend.allocate(dtype as NativeDtype, iv.length * depth);
  out.fill(offValue);
  for (let i = 0; i < iv.length; i++) {
    if (iv[i] >= 0 && iv[i] < depth) out[i * depth + iv[i]] = onValue;
  }
  return backend.output([...indices.shape, depth], dtype as 'float32', out);
};

/** A pooled array of `shape` filled with `value`; null for dtypes the cpu backend keeps elsewhere. */
function filled(
  backend: NativeBackend,
  shape: number[],
  dtype: string,
  value: number,
): TensorInfo | null {
  if (!isNativeDtype(dtype as never)) return null;
  const out = backend.allocate(dtype as NativeDtype, sizeOf(shape));
  out.fill(value);
  return backend.output(shape, dtype as NativeDtype, out);
}

const fill: NativeKernel = ({ backend, attrs }) => {
  const { shape, value, dtype } = attrs as { shape: number[]; value: number; dtype?: string };
  // An unset dtype is the cpu kernel's inference from a numeric value.
  return typeof value === 'number' ? filled(backend, shape, dtype ?? 'float32', value) : null;
};

const constantLike =
  (value: number): NativeKernel =>
  ({ inputs, backend }) =>
    filled(backend, inputs.x.shape, inputs.x.dtype, value);

export const elementwiseKernels: Record<string, NativeKernel> = {
  ...Object.fromEntries(
    [...Object.entries(arithmetic), ...Object.entries(comparisons), ...Object.entries(logical)].map(
      ([name, op]) => [name, binaryKernel(op)],
    ),
  ),
  ...Object.fromEntries(
    Object.entries(unaryKernels).map(([name, [op, params]]) => [name, unaryKernel(op, params)]),
  ),
  [Cast]: cast,
  [Select]: select,
  [AddN]: addN,
  [OneHot]: oneHot,
  [Fill]: fill,
  [ZerosLike]: constantLike(0),
  [OnesLike]: constantLike(1),
};
