import {
  All,
  Any,
  ArgMax,
  ArgMin,
  Max,
  Mean,
  Min,
  Prod,
  Softmax,
  Sum,
  util,
} from '@tensorflow/tfjs-core';
import type { NativeKernel } from '../backend.js';
import { reduceView } from '../layout.js';
import { transposeValues } from './movement.js';

interface ReduceSpec {
  op: string;
  axisAttr: string;
  /** Input dtype -> output dtype for the dtypes with a native loop. */
  dtypes: Record<string, 'float32' | 'int32' | 'bool'>;
  keepDimsAttr: boolean;
}

const numeric = { float32: 'float32', int32: 'int32' } as const;

function reduceKernel({ op, axisAttr, dtypes, keepDimsAttr }: ReduceSpec): NativeKernel {
  return ({ inputs, backend, attrs }) => {
    const x = inputs.x;
    const xv = backend.storage(x);
    const outDtype = dtypes[x.dtype];
    if (xv === null || outDtype === undefined) return null;
    const axes = util.parseAxisParam(attrs[axisAttr] as number | number[], x.shape);
    const view = reduceView(x.shape, axes);
    const src = view.perm === null ? xv : transposeValues(backend, xv, x.shape, view.perm);
    const out = backend.allocate(outDtype, view.outer * view.inner);
    if (out.length > 0) {
      const code = backend.native.reduceOps.indexOf(op);
      backend.native.reduce(code, src, out, view.outer, view.reduced, view.inner);
    }
    const keepDims = keepDimsAttr && (attrs.keepDims as boolean);
    const outShape = keepDims
      ? x.shape.map((n, d) => (axes.includes(d) ? 1 : n))
      : x.shape.filter((_, d) => !axes.includes(d));
    return backend.output(outShape, outDtype, out);
  };
}

const softmax: NativeKernel = ({ inputs, backend, attrs }) => {
  const logits = inputs.logits;
  const values = backend.storage(logits);
  const rank = logits.shape.length;
  const dim = attrs.dim as number;
  if (logits.dtype !== 'float32' || values === null || (dim !== -1 && dim !== rank - 1))
    return null;
  const cols = logits.shape[rank - 1] ?? 1;
  const out = backend.allocate('float32', values.length);
  if (out.length > 0) {
    backend.native.softmax(values as Float32Array, out, out.length / cols, cols, false);
  }
  return backend.output(logits.shape, 'float32', out);
};

export const reduceKernels: Record<string, NativeKernel> = {
  [Sum]: reduceKernel({ op: 'sum', axisAttr: 'axis', dtypes: numeric, keepDimsAttr: true }),
  [Mean]: reduceKernel({
    op: 'mean',
    axisAttr: 'axis',
    dtypes: { float32: 'float32' },
    keepDimsAttr: true,
  }),
  [Max]: reduceKernel({
    op: 'max',
    axisAttr: 'reductionIndices',
    dtypes: numeric,
    keepDimsAttr: true,
  }),
  [Min]: reduceKernel({ op: 'min', axisAttr: 'axis', dtypes: numeric, keepDimsAttr: true }),
  [Prod]: reduceKernel({ op: 'prod', axisAttr: 'axis', dtypes: numeric, keepDimsAttr: true }),
  [Any]: reduceKernel({
    op: 'any',
    axisAttr: 'axis',
    dtypes: { bool: 'bool' },
    keepDimsAttr: true,
  }),
  [All]: reduceKernel({
    op: 'all',
    axisAttr: 'axis',
    dtypes: { bool: 'bool' },
    keepDimsAttr: true,
  }),
  [ArgMax]: reduceKernel({
    op: 'argMax',
    axisAttr: 'axis',
    dtypes: { float32: 'int32', int32: 'int32' },
    keepDimsAttr: false,
  }),
  [ArgMin]: reduceKernel({
    op: 'argMin',
    axisAttr: 'axis',
    dtypes: { float32: 'int32', int32: 'int32' },
    keepDimsAttr: false,
  }),
  [Softmax]: softmax,
};
