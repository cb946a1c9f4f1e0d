/**
 * The tolerances a float32 port should meet against the reference
 * (`../shared/README.md`).
 */
export const TOLERANCES = {
  /** logits, q-values and latents: |a − b| ≤ outAbs + outRel·|b| elementwise */
  outAbs: 1e-4,
  outRel: 1e-4,
  /** losses and metric sums: |a − b| ≤ lossRel·|b| */
  lossRel: 1e-4,
  /** gradients: max |a − b| ≤ gradRel · max |b| per tensor */
  gradRel: 1e-3,
} as const;

type Values = ArrayLike<number>;

function checkLength(what: string, a: Values, b: Values): void {
  if (a.length !== b.length)
    throw new Error(`${what}: ${a.length} values, reference has ${b.length}`);
}

/** Largest absolute difference, and whether every element is within outAbs + outRel·|b|. */
export function compareOutputs(
  what: string,
  a: Values,
  b: Values,
): { maxAbs: number; ok: boolean } {
  checkLength(what, a, b);
  let maxAbs = 0;
  let ok = true;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= TOLERANCES.outAbs + TOLERANCES.outRel * Math.abs(b[i]))) ok = false;
    if (!(d <= maxAbs)) maxAbs = d; // NaN propagates as a failure
  }
  return { maxAbs, ok };
}

/** |a − b| / max(|b|, floor); the default floor makes a zero reference demand (almost) zero. */
export function relativeError(a: number, b: number, floor = 1e-12): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), floor);
}

/** max |a − b| / max |b| over one tensor. */
export function gradientError(what: string, a: Values, b: Values): number {
  checkLength(what, a, b);
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= maxDiff)) maxDiff = d;
    maxRef = Math.max(maxRef, Math.abs(b[i]));
  }
  return maxDiff / Math.max(maxRef, 1e-30);
}

/** Indices where two integer vectors differ. */
export function mismatches(a: Values, b: Values): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) out.push(i);
  return out;
}
