import {
  engine,
  type GradConfig,
  getGradient,
  registerGradient,
  type Tensor,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { sizeOf } from './layout.js';

// The fused-kernel contract between @rrm/layers and any backend that implements it: the
// kernel names, their inputs and attrs, and the gradients (which TF.js keeps in one
// global registry by kernel name, so every backend shares these). Imports nothing but
// tfjs-core, so browser bundles (the WebGPU kernels of @rrm/backend) can use it.

/**
 * SwiGLU's gate on the packed projection x = [gate | up] (last axis 2n):
 * silu(gate) * up, last axis n. Reading both halves from one tensor saves the
 * split (or per-half weight slices) a composed version needs.
 */
export const SWIGLU = 'RrmSwiGLU';
export const SWIGLU_GRAD = 'RrmSwiGLUGrad';
/** RMS norm over the last axis without a learned scale: x / sqrt(mean(x²) + eps); attr `eps`. */
export const RMS_NORM = 'RrmRmsNorm';
export const RMS_NORM_GRAD = 'RrmRmsNormGrad';
/**
 * Non-causal multi-head self-attention on the packed projection `qkv` [B, S, 3·H·D]
 * (q, then k, then v, each H heads of D channels): softmax(q kᵀ / √D) v for every batch
 * and head, out [B, S, H·D]; attr `numHeads` (H). Inputs `cos`, `sin` [≥S, D] are RoPE
 * tables in the rotate-half layout, applied to q and k (they get no gradient); tables
 * without elements mean no RoPE. They are never optional because TF.js saves the inputs
 * a gradient needs by name, and a missing one fails there.
 */
export const ATTENTION = 'RrmAttention';
/** Inputs `dy` [B, S, H·D], `qkv`, `cos`, `sin` -> dqkv, packed like qkv. */
export const ATTENTION_GRAD = 'RrmAttentionGrad';
/**
 * One TRM-MLP reasoning block: `h' = rmsNorm(h + mlp_t(h))` with the token mixing and its
 * norm over the sequence axis, then `y = rmsNorm(h' + mlp(h'))` over channels. Inputs `h`
 * [B, S, D] and the four weights in PyTorch's [out, in] layout: `tokenGateUp` [2m, S],
 * `tokenDown` [S, m], `gateUp` [2n, D], `down` [D, n]; attr `eps`. Output `y`; with attr
 * `train` also the activations its gradient reads, in this order: `tokenProj` [B, 2m, D]
 * (the token mixing's [gate; up] per batch element), `tokenSum` [B, S, D] (h plus the
 * token mixing, before its norm), `proj` [B, S, 2n] and `sum` [B, S, D] (the same for the
 * channel SwiGLU). There is no registered gradient: `@rrm/layers` keeps those activations
 * with `tf.customGrad` and calls `MLP_BLOCK_GRAD`.
 */
export const MLP_BLOCK = 'RrmMlpBlock';
/**
 * Inputs `dy`, `h`, the four weights and the four activations of `MLP_BLOCK` (by their
 * names); attr `eps`. Outputs the gradients of `h`, `tokenGateUp`, `tokenDown`, `gateUp`
 * and `down`, in that order.
 */
export const MLP_BLOCK_GRAD = 'RrmMlpBlockGrad';
/**
 * One attention reasoning block: `h' = rmsNorm(h + o_proj(attention(h)))`, then
 * `y = rmsNorm(h' + mlp(h'))`. Inputs `h` [B, S, D], `qkvProj` [3·H·hd, D], `oProj`
 * [D, H·hd], the RoPE tables `cos`, `sin` ([≥S, hd], empty for none), `gateUp` [2n, D],
 * `down` [D, n]; attrs `numHeads` (H) and `eps`. Output `y`; with attr `train` also the
 * activations its gradient reads: `qkv` [B, S, 3·H·hd], `heads` [B, S, H·hd] (the
 * attention before o_proj), `attnSum` [B, S, D] (h plus o_proj's output, before the
 * norm), `proj` [B, S, 2n] and `sum` [B, S, D] (the channel SwiGLU's). Like `MLP_BLOCK`
 * it has no registered gradient: `@rrm/layers` keeps the activations with `tf.customGrad`
 * and calls `ATTENTION_BLOCK_GRAD`.
 */
export const ATTENTION_BLOCK = 'RrmAttentionBlock';
/**
 * Inputs `dy`, the inputs of `ATTENTION_BLOCK` and its five activations (by their names);
 * attrs as the forward's. Outputs the gradients of `h`, `qkvProj`, `oProj`, `gateUp` and
 * `down`, in that order (the RoPE tables get none).
 */
export const ATTENTION_BLOCK_GRAD = 'RrmAttentionBlockGrad';

/** [B, S, H, D] of an attention call, or an error naming the kernel. */
export function attentionDims(
  kernel: string,
  inputs: Partial<Record<string, TensorInfo>>,
  numHeads: unknown,
): number[] {
  const { qkv, cos, sin } = inputs;
  if (qkv === undefined || cos === undefined || sin === undefined) {
    throw new Error(
      `${kernel}: inputs qkv, cos and sin are required (cos and sin without elements for no RoPE)`,
    );
  }
  const H = numHeads as number;
  const [B, S, W] = qkv.shape;
  if (!Number.isInteger(H) || H < 1 || qkv.shape.length !== 3 || W === 0 || W % (3 * H) !== 0) {
    throw new Error(
      `${kernel}: qkv must be [B, S, 3·numHeads·headDim] with numHeads ${H}, got [${qkv.shape}]`,
    );
  }
  const D = W / (3 * H);
  const table = (t: TensorInfo) => t.shape.length === 2 && t.shape[0] >= S && t.shape[1] === D;
  if (
    (sizeOf(cos.shape) > 0 || sizeOf(sin.shape) > 0) &&
    !(D % 2 === 0 && table(cos) && table(sin))
  ) {
    throw new Error(
      `${kernel}: cos and sin must be [≥${S}, ${D}] with an even head size, or empty, got [${cos.shape}] and [${sin.shape}]`,
    );
  }
  return [B, S, H, D];
}

/**
 * The backward recomputes sigmoid(gate) rather than saving it: cheaper than keeping one
 * more activation per block alive.
 */
const swigluGradConfig: GradConfig = {
  kernelName: SWIGLU,
  inputsToSave: ['x'],
  gradFunc: (dy, [x]) => ({
    x: () => engine().runKernel(SWIGLU_GRAD, { dy: dy as Tensor, x }) as Tensor,
  }),
};

const rmsNormGradConfig: GradConfig = {
  kernelName: RMS_NORM,
  inputsToSave: ['x'],
  gradFunc: (dy, [x], attrs) => ({
    x: () => engine().runKernel(RMS_NORM_GRAD, { dy: dy as Tensor, x }, attrs) as Tensor,
  }),
};

const attentionGradConfig: GradConfig = {
  kernelName: ATTENTION,
  inputsToSave: ['qkv', 'cos', 'sin'],
  gradFunc: (dy, [qkv, cos, sin], attrs) => ({
    qkv: () =>
      engine().runKernel(ATTENTION_GRAD, { dy: dy as Tensor, qkv, cos, sin }, attrs) as Tensor,
  }),
};

export const fusedGradients: GradConfig[] = [
  swigluGradConfig,
  rmsNormGradConfig,
  attentionGradConfig,
];

/** Registers the gradients above where no backend has yet. */
export function registerFusedGradients(): void {
  for (const config of fusedGradients) {
    if (getGradient(config.kernelName) === undefined) registerGradient(config);
  }
}
