import {
  BroadcastTo,
  backend_util,
  Concat,
  GatherV2,
  MirrorPad,
  Pack,
  PadV2,
  Reverse,
  ScatterNd,
  Slice,
  SplitV,
  StridedSlice,
  slice_util,
  type TensorInfo,
  Tile,
  Transpose,
  Unpack,
  UnsortedSegmentSum,
  util,
} from '@tensorflow/tfjs-core';
import type { Storage } from '../addon.js';
import {
  isNativeDtype,
  type NativeBackend,
  type NativeDtype,
  type NativeKernel,
} from '../backend.js';
import { broadcastStrides, collapse, sizeOf, stridesOf } from '../layout.js';

/**
 * dst[dstOffset + i . dstStrides] = src[srcOffset + i . srcStrides] for every
 * index i of `shape`: the one primitive behind transpose, slice, concat, split,
 * pad, mirror pad, tile, reverse and broadcast.
 */
export function copyStrided(
  backend: NativeBackend,
  src: Storage,
  srcOffset: number,
  srcStrides: readonly number[],
  dst: Storage,
  dstOffset: number,
  dstStrides: readonly number[],
  shape: readonly number[],
): void {
  if (sizeOf(shape) === 0) return;
  const layout = collapse(shape, [srcStrides, dstStrides]);
  backend.native.copy(
    src,
    srcOffset,
    layout.strides[0],
    dst,
    dstOffset,
    layout.strides[1],
    layout.shape,
  );
}

/** The storage of a tensor in a dtype the native copy handles, else null. */
function movable(backend: NativeBackend, t: TensorInfo): Storage | null {
  return isNativeDtype(t.dtype) ? backend.storage(t) : null;
}

/** `values` (of `shape`) with its dimensions permuted, as a new array. */
export function transposeValues(
  backend: NativeBackend,
  values: Storage,
  shape: readonly number[],
  perm: readonly number[],
): Storage {
  const strides = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]);
  const out = backend.allocateLike(values);
  copyStrided(
    backend,
    values,
    0,
    perm.map((p) => strides[p]),
    out,
    0,
    stridesOf(outShape),
    outShape,
  );
  return out;
}

const transpose: NativeKernel = ({ inputs, backend, attrs }) => {
  const x = inputs.x;
  const xv = movable(backend, x);
  if (xv === null) return null;
  const perm = attrs.perm as number[];
  return backend.output(
    perm.map((p) => x.shape[p]),
    x.dtype,
    transposeValues(backend, xv, x.shape, perm),
  );
};

/** x[begin + i * step] for every index i of `shape` (step defaults to 1). */
function strided(
  backend: NativeBackend,
  x: TensorInfo,
  xv: Storage,
  begin: readonly number[],
  shape: number[],
  step?: readonly number[],
): Storage {
  const xs = stridesOf(x.shape);
  const offset = begin.reduce((acc, b, d) => acc + b * xs[d], 0);
  const out = backend.allocate(x.dtype as NativeDtype, sizeOf(shape));
  const srcStrides = xs.map((s, d) => s * (step?.[d] ?? 1));
  copyStrided(backend, xv, offset, srcStrides, out, 0, stridesOf(shape), shape);
  return out;
}

const slice: NativeKernel = ({ inputs, backend, attrs }) => {
  const x = inputs.x;
  const xv = movable(backend, x);
  if (xv === null) return null;
  const [begin, size] = slice_util.parseSliceParams(
    x as never,
    attrs.begin as number[],
    attrs.size as number[],
  );
  slice_util.assertParamsValid(x as never, begin, size);
  return backend.output(size, x.dtype, strided(backend, x, xv, begin, size));
};

const stridedSlice: NativeKernel = ({ inputs, backend, attrs }) => {
  const x = inputs.x;
  const xv = movable(backend, x);
  if (xv === null) return null;
  const a = attrs as Record<string, never>;
  const info = slice_util.sliceInfo(
    x.shape,
    a.begin,
    a.end,
    a.strides,
    a.beginMask,
    a.endMask,
    a.ellipsisMask,
    a.newAxisMask,
    a.shrinkAxisMask,
  );
  // One output extent per input dimension (shrunk ones have extent 1); the
  // result is then viewed as finalShape, which drops or inserts axes.
  const extent = slice_util
    .computeOutShape(info.begin, info.end, info.strides)
    .map((n) => Math.max(n, 0));
  const values = strided(backend, x, xv, info.begin, extent, info.strides);
  return backend.output(info.finalShape, x.dtype, values);
};

/** Copies each input into `out` along `axis`, at increasing offsets. */
function joinAlong(
  backend: NativeBackend,
  parts: Array<{ shape: number[]; values: Storage }>,
  out: Storage,
  outShape: number[],
  axis: number,
): void {
  const os = stridesOf(outShape);
  let at = 0;
  for (const { shape, values } of parts) {
    copyStrided(backend, values, 0, stridesOf(shape), out, at * os[axis], os, shape);
    at += shape[axis];
  }
}

const concat: NativeKernel = ({ inputs, backend, attrs }) => {
  const xs = Object.values(inputs);
  const values = xs.map((x) => (x.dtype === xs[0].dtype ? movable(backend, x) : null));
  if (values.some((v) => v === null)) return null;
  const axis = util.parseAxisParam(attrs.axis as number, xs[0].shape)[0];
  const outShape = backend_util.computeOutShape(
    xs.map((x) => x.shape),
    axis,
  );
  const out = backend.allocate(xs[0].dtype as NativeDtype, sizeOf(outShape));
  const parts = xs.map((x, k) => ({ shape: x.shape, values: values[k]! }));
  joinAlong(backend, parts, out, outShape, axis);
  return backend.output(outShape, xs[0].dtype, out);
};

const pack: NativeKernel = ({ inputs, backend, attrs }) => {
  const xs = Object.values(inputs);
  const values = xs.map((x) => (x.dtype === xs[0].dtype ? movable(backend, x) : null));
  if (values.some((v) => v === null)) return null;
  const axis = util.parseAxisParam(attrs.axis as number, [...xs[0].shape, xs.length])[0];
  const unit = [...xs[0].shape];
  unit.splice(axis, 0, 1);
  const outShape = [...xs[0].shape];
  outShape.splice(axis, 0, xs.length);
  const out = backend.allocate(xs[0].dtype as NativeDtype, sizeOf(outShape));
  joinAlong(
    backend,
    xs.map((_, k) => ({ shape: unit, values: values[k]! })),
    out,
    outShape,
    axis,
  );
  return backend.output(outShape, xs[0].dtype, out);
};

const splitV: NativeKernel = ({ inputs, backend, attrs }) => {
  const x = inputs.x;
  const xv = movable(backend, x);
  if (xv === null) return null;
  const axis = util.parseAxisParam(attrs.axis as number, x.shape)[0];
  const sizes = backend_util.prepareSplitSize(x as never, attrs.numOrSizeSplits as number[], axis);
  const begin = x.shape.map(() => 0);
  return sizes.map((n) => {
    const shape = [...x.shape];
    shape[axis] = n;
    const part = backend.output(shape, x.dtype, strided(backend, x, xv, begin, shape));
    begin[axis] += n;
    return part;
  });
};

const unpack: NativeKernel = ({ inputs, backend, attrs }) => {
  const x = inputs.value;
  const xv = movable(backend, x);
  if (xv === null) return null;
  const axis = util.parseAxisParam(attrs.axis as number, x.shape)[0];
  const unit = [...x.shape];
  unit[axis] = 1;
  const outShape = x.shape.filter((_, d) => d !== axis);
  const begin = x.shape.map(() => 0);
  return Array.from({ length: x.shape[axis] }, (_, k) => {
    begin[axis] = k;
    return backend.output(outShape, x.dtype, strided(backend, x, xv, begin, unit));
  });
};

const pad: NativeKernel = ({ inputs, backend, attrs }) => {
  const x = inputs.x;
  const xv = movable(backend, x);
  if (xv === null) return null;
  const paddings = attrs.paddings as Array<[number, number]>;
  const outShape = x.shape.map((n, d) => paddings[d][0] + n + paddings[d][1]);
  const out = backend.allocate(x.dtype as NativeDtype, sizeOf(outShape));
  out.fill(attrs.constantValue as number);
  const os = stridesOf(outShape);
  const offset = paddings.reduce((acc, [before], d) => acc + before * os[d], 0);
  copyStrided(backend, xv, 0, stridesOf(x.shape), out, offset, os, x.shape);
  return backend.output(outShape, x.dtype, out);
};

/** A block of one dimension of a mirror-padded output and where it reads the input. */
interface MirrorSpan {
  length: number;
  /** First output and input positions; the input is walked backwards when `step` is -1. */
  to: number;
  from: number;
  step: 1 | -1;
}

/**
 * Splits one dimension of size `n` padded by `before` and `after` into the
 * reflected left edge, the input itself and the reflected right edge
 * (`reflect` leaves the edge element out of the mirror, `symmetric` repeats it).
 */
function mirrorSpans(n: number, before: number, after: number, mode: string): MirrorSpan[] {
  const skip = mode === 'reflect' ? 1 : 0;
  const spans: MirrorSpan[] = [
    { length: before, to: 0, from: before - 1 + skip, step: -1 },
    { length: n, to: before, from: 0, step: 1 },
    { length: after, to: before + n, from: n - 1 - skip, step: -1 },
  ];
  return spans.filter((span) => span.length > 0);
}

/** Every combination of one span per dimension: one strided copy each. */
function combinations<T>(lists: T[][]): T[][] {
  return lists.reduce<T[][]>((acc, list) => acc.flatMap((c) => list.map((x) => [...c, x])), [[]]);
}

const mirrorPad: NativeKernel = ({ inputs, backend, attrs }) => {
  const x = inputs.x;
  const xv = movable(backend, x);
  if (xv === null) return null;
  const paddings = attrs.paddings as Array<[number, number]>;
  const mode = attrs.mode as string;
  const outShape = x.shape.map((n, d) => paddings[d][0] + n + paddings[d][1]);
  const out = backend.allocate(x.dtype as NativeDtype, sizeOf(outShape));
  const xs = stridesOf(x.shape);
  const os = stridesOf(outShape);
  const spans = x.shape.map((n, d) => mirrorSpans(n, paddings[d][0], paddings[d][1], mode));
  for (const block of combinations(spans)) {
    copyStrided(
      backend,
      xv,
      block.reduce((acc, span, d) => acc + span.from * xs[d], 0),
      block.map((span, d) => span.step * xs[d]),
      out,
      block.reduce((acc, span, d) => acc + span.to * os[d], 0),
      os,
      block.map((span) => span.length),
    );
  }
  return backend.output(outShape, x.dtype, out);
};

const tile: NativeKernel = ({ inputs, backend, attrs }) => {
  const x = inputs.x;
  const xv = movable(backend, x);
  if (xv === null) return null;
  const reps = attrs.reps as number[];
  const outShape = x.shape.map((n, d) => n * reps[d]);
  const out = backend.allocate(x.dtype as NativeDtype, sizeOf(outShape));
  // Index (repeat r_d, position j_d) per dimension: the source ignores r_d.
  const xs = stridesOf(x.shape);
  const os = stridesOf(outShape);
  copyStrided(
    backend,
    xv,
    0,
    x.shape.flatMap((_, d) => [0, xs[d]]),
    out,
    0,
    x.shape.flatMap((n, d) => [n * os[d], os[d]]),
    x.shape.flatMap((n, d) => [reps[d], n]),
  );
  return backend.output(outShape, x.dtype, out);
};

const reverse: NativeKernel = ({ inputs, backend, attrs }) => {
  const x = inputs.x;
  const xv = movable(backend, x);
  if (xv === null) return null;
  const dims = util.parseAxisParam(attrs.dims as number[], x.shape);
  const xs = stridesOf(x.shape);
  const flipped = xs.map((s, d) => (dims.includes(d) ? -s : s));
  const offset = dims.reduce((acc, d) => acc + Math.max(x.shape[d] - 1, 0) * xs[d], 0);
  const out = backend.allocate(x.dtype as NativeDtype, xv.length);
  copyStrided(backend, xv, offset, flipped, out, 0, xs, x.shape);
  return backend.output(x.shape, x.dtype, out);
};

const broadcastTo: NativeKernel = ({ inputs, backend, attrs }) => {
  const x = inputs.x;
  const xv = movable(backend, x);
  if (xv === null) return null;
  const shape = attrs.shape as number[];
  const out = backend.allocate(x.dtype as NativeDtype, sizeOf(shape));
  copyStrided(backend, xv, 0, broadcastStrides(x.shape, shape), out, 0, stridesOf(shape), shape);
  return backend.output(shape, x.dtype, out);
};

const gather: NativeKernel = ({ inputs, backend, attrs }) => {
  const { x, indices } = inputs;
  const xv = movable(backend, x);
  const iv = backend.storage(indices);
  if (xv === null || !(iv instanceof Int32Array)) return null;
  const axis = util.parseAxisParam(attrs.axis as number, x.shape)[0];
  // Validates batchDims against both shapes as the cpu kernel does.
  const info = backend_util.segment_util.collectGatherOpShapeInfo(
    x as never,
    indices as never,
    axis,
    (attrs.batchDims as number | undefined) ?? 0,
  );
  const out = backend.allocate(x.dtype as NativeDtype, sizeOf(info.outputShape));
  backend.native.gather(xv, iv, out, info.batchSize, info.outerSize, info.dimSize, info.sliceSize);
  return backend.output(info.outputShape, x.dtype, out);
};

const unsortedSegmentSum: NativeKernel = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs;
  const xv = backend.storage(x);
  const iv = backend.storage(segmentIds);
  if (xv === null || x.dtype === 'bool' || !(iv instanceof Int32Array)) return null;
  const numSegments = attrs.numSegments as number;
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = backend.allocate('float32', sizeOf(outShape));
  backend.native.segmentSum(xv, iv, out, numSegments);
  // float32 for int32 input too, as the cpu kernel returns.
  return backend.output(outShape, 'float32', out);
};

const scatterNd: NativeKernel = ({ inputs, backend, attrs }) => {
  const { indices, updates } = inputs;
  const iv = backend.storage(indices);
  const uv = backend.storage(updates);
  if (!(iv instanceof Int32Array) || uv === null || updates.dtype === 'bool') return null;
  const shape = attrs.shape as number[];
  // As in the cpu kernel: the last dimension of rank >= 2 indices holds the tuples.
  const sliceRank = indices.shape.length > 1 ? indices.shape[indices.shape.length - 1] : 1;
  const out = backend.allocate(updates.dtype as NativeDtype, sizeOf(shape));
  backend.native.scatterNd(iv, uv, out, shape, sliceRank);
  return backend.output(shape, updates.dtype, out);
};

export const movementKernels: Record<string, NativeKernel> = {
  [Transpose]: transpose,
  [Slice]: slice,
  [StridedSlice]: stridedSlice,
  [Concat]: concat,
  [Pack]: pack,
  [SplitV]: splitV,
  [Unpack]: unpack,
  [PadV2]: pad,
  [MirrorPad]: mirrorPad,
  [Tile]: tile,
  [Reverse]: reverse,
  [BroadcastTo]: broadcastTo,
  [GatherV2]: gather,
  [UnsortedSegmentSum]: unsortedSegmentSum,
  [ScatterNd]: scatterNd,
};
