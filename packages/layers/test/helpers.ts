import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';

await tf.setBackend('cpu');

/** The shared reference data, `../shared` from the repo root. */
export const SHARED = fileURLToPath(new URL('../../../../shared', import.meta.url));
export const PARITY = `${SHARED}/parity`;

/** A skip message naming the missing path, or false when `path` exists. */
export function missing(path: string): string | false {
  return existsSync(path) ? false : `missing ${path}`;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
