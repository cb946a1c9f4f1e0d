import { type FmaPeak, loadAddon } from './addon.js';

/**
 * The machine's FMA peak in GFLOP/s, measured over about `seconds` on as many threads as
 * the native kernels use (`RRM_NATIVE_THREADS`, else every core up to 16), with the
 * widest FMA the CPU has: the denominator of an honest "fraction of peak".
 */
export function measureFmaPeak(seconds = 1): FmaPeak {
  return loadAddon().fmaPeak(seconds);
}
