// Pure index arithmetic shared by the kernels: row-major strides, broadcasting
// and the collapsing of dimensions that the native loops walk as one.

/** Row-major strides (in elements) of a contiguous array of this shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Strides of `shape` read as if broadcast to `outShape` (right-aligned, NumPy
 * rules): a missing or size-1 dimension repeats, so its stride is 0.
 */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = stridesOf(shape);
  const lead = outShape.length - shape.length;
  return outShape.map((_, d) => {
    const k = d - lead;
    return k < 0 || shape[k] === 1 ? 0 : own[k];
  });
}

export interface Collapsed {
  shape: number[];
  strides: number[][];
}

/**
 * Drops size-1 dimensions and merges neighbours that every operand walks
 * contiguously (stride[d] === stride[d + 1] * shape[d + 1]), so the native loops
 * see as few, as long rows as possible. The result has rank >= 1.
 */
export function collapse(
  shape: readonly number[],
  strides: ReadonlyArray<readonly number[]>,
): Collapsed {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = outShape.length - 1;
    const mergeable = last >= 0 && strides.every((s, k) => outStrides[k][last] === s[d] * shape[d]);
    if (mergeable) {
      outShape[last] *= shape[d];
      for (const [k, s] of strides.entries()) outStrides[k][last] = s[d];
    } else {
      outShape.push(shape[d]);
      for (const [k, s] of strides.entries()) outStrides[k].push(s[d]);
    }
  }
  if (outShape.length === 0) return { shape: [1], strides: strides.map(() => [0]) };
  return { shape: outShape, strides: outStrides };
}

/** Shape of `a` and `b` broadcast together; throws naming both shapes when incompatible. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let d = 0; d < rank; d++) {
    const x = a[a.length - rank + d] ?? 1;
    const y = b[b.length - rank + d] ?? 1;
    if (x !== y && x !== 1 && y !== 1) {
      throw new Error(`Operands could not be broadcast together with shapes ${a} and ${b}`);
    }
    out[d] = x === 1 ? y : x;
  }
  return out;
}

export interface ReduceView {
  /** Permutation to apply first, or null when the reduced axes already form one block. */
  perm: number[] | null;
  outer: number;
  reduced: number;
  inner: number;
}

/**
 * How to reduce `axes` of `shape` as a middle axis of an [outer, reduced, inner]
 * view. When the reduced axes (ignoring size-1 ones) are not adjacent, the view
 * is of the input transposed so they come last.
 */
export function reduceView(shape: readonly number[], axes: readonly number[]): ReduceView {
  const reducing = shape.map((_, d) => axes.includes(d));
  const live = shape.map((_, d) => d).filter((d) => shape[d] !== 1);
  const first = live.findIndex((d) => reducing[d]);
  const last = live.length - 1 - [...live].reverse().findIndex((d) => reducing[d]);
  const reduced = sizeOf(axes.map((d) => shape[d]));
  if (first < 0) return { perm: null, outer: sizeOf(shape), reduced: 1, inner: 1 };
  const block = live.slice(first, last + 1).every((d) => reducing[d]);
  if (block) {
    return {
      perm: null,
      outer: sizeOf(live.slice(0, first).map((d) => shape[d])),
      reduced,
      inner: sizeOf(live.slice(last + 1).map((d) => shape[d])),
    };
  }
  const kept = shape.map((_, d) => d).filter((d) => !reducing[d]);
  const moved = shape.map((_, d) => d).filter((d) => reducing[d]);
  return { perm: [...kept, ...moved], outer: sizeOf(kept.map((d) => shape[d])), reduced, inner: 1 };
}
