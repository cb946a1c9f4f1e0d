/**
 * Seeded pseudo-random numbers: xoshiro128** seeded through splitmix32.
 * The whole state is four uint32 words (plus a cached normal), so a run can
 * save it in a checkpoint and resume the exact same stream.
 */

export interface RngState {
  s: [number, number, number, number];
  spare: number | null;
}

function splitmix32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x9e3779b9) >>> 0;
    let z = a;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

export class Rng {
  private s: Uint32Array;
  private spare: number | null = null;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`Rng: seed must be a finite number, got ${seed}`);
    const sm = splitmix32(Math.trunc(seed));
    this.s = new Uint32Array([sm(), sm(), sm(), sm()]);
    // An all-zero state would be a fixed point.
    if (this.s.every((v) => v === 0)) this.s[0] = 1;
  }

  /** Next uint32. */
  next(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return this.next() / 4294967296;
  }

  /** Uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 4294967296) {
      throw new Error(`Rng.int: n must be an integer in [1, 2^32], got ${n}`);
    }
    const limit = 4294967296 - (4294967296 % n);
    let v = this.next();
    while (v >= limit) v = this.next();
    return v % n;
  }

  /** Standard normal by the polar Box–Muller method. */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u: number;
    let v: number;
    let r: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      r = u * u + v * v;
    } while (r >= 1 || r === 0);
    const f = Math.sqrt((-2 * Math.log(r)) / r);
    this.spare = v * f;
    return u * f;
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
    return a;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = p[i];
      p[i] = p[j];
      p[j] = tmp;
    }
    return p;
  }

  /** An independent stream derived from this one's current state and a label. */
  fork(label: number): Rng {
    return new Rng((this.next() ^ Math.imul(label >>> 0, 0x9e3779b1)) >>> 0);
  }

  getState(): RngState {
    return { s: [this.s[0], this.s[1], this.s[2], this.s[3]], spare: this.spare };
  }

  static fromState(state: RngState): Rng {
    if (!state || !Array.isArray(state.s) || state.s.length !== 4) {
      throw new Error('Rng.fromState: expected { s: [4 uint32], spare }');
    }
    const rng = new Rng(0);
    rng.s = new Uint32Array(state.s);
    rng.spare = state.spare ?? null;
    return rng;
  }
}
