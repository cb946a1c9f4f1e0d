import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Storage = Float32Array | Int32Array | Uint8Array;
type Ints = readonly number[] | Int32Array;

/** What `fmaPeak` measured: GFLOP/s over `threads` threads with the widest FMA the CPU has. */
export interface FmaPeak {
  gflops: number;
  isa: 'avx512' | 'avx2' | 'scalar';
  threads: number;
}

/** The functions of build/Release/rrm_native.node (see native/*.cc). */
export interface NativeAddon {
  /** Which BLAS the addon was linked against. */
  blas: string;
  /** OpenBLAS's name for the kernels it runs (`Haswell`, `SkylakeX`, …); empty for other BLAS. */
  blasCore: string;
  /** Whether the BLAS runs AVX-512 kernels (OpenBLAS's SkylakeX-family ones; BLIS: true). */
  blasAvx512Kernels: boolean;
  /** The widest FMA this CPU has. */
  isa: FmaPeak['isa'];
  /**
   * What runs the matmuls: `avx512`, the addon's own kernels (native/sgemm.cc: on AVX-512
   * CPUs whose BLAS runs narrower kernels, or with RRM_NATIVE_GEMM=own), else `blas`.
   */
  gemmKernels: 'avx512' | 'blas';
  binaryOps: string[];
  unaryOps: string[];
  reduceOps: string[];
  getThreads(): number;
  setThreads(n: number): void;
  /** The measured FMA peak of all addon threads together (native/peak.cc). */
  fmaPeak(seconds: number): FmaPeak;
  binary(
    op: number,
    a: Storage,
    b: Storage,
    out: Storage,
    shape: Ints,
    aStrides: Ints,
    bStrides: Ints,
  ): boolean;
  unary(op: number, x: Float32Array, out: Float32Array, p: number, q: number): void;
  cast(x: Storage, out: Storage): void;
  select(condition: Uint8Array, a: Storage, b: Storage, out: Storage, inner: number): void;
  addN(xs: Float32Array[], out: Float32Array): void;
  swiglu(x: Float32Array, out: Float32Array, n: number): void;
  swigluGrad(dy: Float32Array, x: Float32Array, out: Float32Array, n: number): void;
  rmsNorm(x: Float32Array, out: Float32Array, n: number, eps: number): void;
  rmsNormGrad(dy: Float32Array, x: Float32Array, out: Float32Array, n: number, eps: number): void;
  /**
   * The block kernels of native/block.cc take their arrays and sizes in order: the
   * inputs (h and the weights; the attention block's also the RoPE tables), then y,
   * then the sizes (B, S, D, m, n or B, S, D, H, hd, n) and eps, then, when training, the
   * activations to keep. The gradients take the inputs, dy and the activations, the
   * sizes and eps, then their outputs (the gradients of h and of each weight).
   */
  mlpBlock(...args: (Float32Array | number)[]): void;
  mlpBlockGrad(...args: (Float32Array | number)[]): void;
  attentionBlock(...args: (Float32Array | number)[]): void;
  attentionBlockGrad(...args: (Float32Array | number)[]): void;
  /** Empty cos and sin: no RoPE. */
  attention(
    qkv: Float32Array,
    cos: Float32Array,
    sin: Float32Array,
    out: Float32Array,
    B: number,
    S: number,
    H: number,
    D: number,
  ): void;
  attentionGrad(
    dy: Float32Array,
    qkv: Float32Array,
    cos: Float32Array,
    sin: Float32Array,
    out: Float32Array,
    B: number,
    S: number,
    H: number,
    D: number,
  ): void;
  matmul(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    M: number,
    N: number,
    K: number,
    transposeA: boolean,
    transposeB: boolean,
    aBatch: Ints,
    bBatch: Ints,
  ): void;
  reduce(op: number, x: Storage, out: Storage, outer: number, reduced: number, inner: number): void;
  softmax(x: Float32Array, out: Float32Array, rows: number, cols: number, log: boolean): void;
  copy(
    src: Storage,
    srcOffset: number,
    srcStrides: Ints,
    dst: Storage,
    dstOffset: number,
    dstStrides: Ints,
    shape: Ints,
  ): void;
  gather(
    x: Storage,
    indices: Int32Array,
    out: Storage,
    batch: number,
    outer: number,
    axisDim: number,
    inner: number,
  ): void;
  segmentSum(x: Storage, segmentIds: Int32Array, out: Storage, numSegments: number): void;
  scatterNd(
    indices: Int32Array,
    updates: Storage,
    out: Storage,
    shape: Ints,
    sliceRank: number,
  ): void;
}

// RRM_NATIVE_BUILD_DIR loads another build of the addon (the AddressSanitizer test's).
const buildDir =
  process.env.RRM_NATIVE_BUILD_DIR ?? fileURLToPath(new URL('../build/', import.meta.url));

let loaded: { addon: NativeAddon } | { reason: string } | undefined;

/**
 * Loads the addon from `dir` (a node-gyp build directory): the addon, or why it
 * cannot be used, as specific as the install script left it.
 */
export function openAddon(dir: string): { addon: NativeAddon } | { reason: string } {
  const addonPath = join(dir, 'Release', 'rrm_native.node');
  const installError = join(dir, 'install-error.txt');
  if (!existsSync(addonPath)) {
    if (existsSync(installError)) {
      return {
        reason: `the addon was not built at install: ${readFileSync(installError, 'utf8').trim()}`,
      };
    }
    return {
      reason: `the addon ${addonPath} does not exist; build it with \`node scripts/install.mjs\` in the package directory (needs a C++ compiler and libopenblas-dev or Accelerate)`,
    };
  }
  try {
    return { addon: createRequire(import.meta.url)(addonPath) as NativeAddon };
  } catch (e) {
    return { reason: `the addon ${addonPath} failed to load: ${(e as Error).message}` };
  }
}

/** Loads the addon once; throws an Error whose message is the reason it cannot load. */
export function loadAddon(): NativeAddon {
  loaded ??= openAddon(buildDir);
  if ('reason' in loaded) throw new Error(`@rrm/tfjs-backend-native: ${loaded.reason}`);
  return loaded.addon;
}
