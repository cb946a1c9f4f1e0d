import {
  Attention,
  type CosSin,
  fusedAttentionBlock,
  fusedMlpBlock,
  GridMixing,
  Module,
  postNorm,
  SudokuMixing,
  SwiGLU,
  TokenMixingMLP,
} from '@rrm/layers';
import type { Rng } from '@rrm/random';
import * as tf from '@tensorflow/tfjs-core';

export interface BlockConfig {
  hidden_size: number;
  num_heads: number;
  expansion: number;
  rms_norm_eps: number;
  /** Set for TRM's `mlp_t`: mix along the sequence (of this length) instead of attending. */
  tokenMixLength?: number;
  /** Set for grid mixing: the board's side and the board-less positions before it. */
  grid?: { side: number; prefix: number };
  /** Set for Sudoku mixing: the board's boxes and the board-less positions before it. */
  sudoku?: { boxRows: number; boxCols: number; prefix: number };
}

/**
 * One post-norm block: sequence mixing (self-attention, the token-mixing MLP, grid or Sudoku
 * mixing),
 * then a channel SwiGLU, each as x = rmsNorm(x + f(x)).
 */
export class ReasoningBlock extends Module {
  private readonly self_attn: Attention | null = null;
  private readonly mlp_t: TokenMixingMLP | null = null;
  private readonly grid_mix: GridMixing | null = null;
  private readonly sudoku_mix: SudokuMixing | null = null;
  private readonly mlp: SwiGLU;
  private readonly eps: number;

  constructor(config: BlockConfig, rng: Rng) {
    super();
    this.eps = config.rms_norm_eps;
    if (config.tokenMixLength !== undefined) {
      this.mlp_t = this.child(
        'mlp_t',
        new TokenMixingMLP(config.tokenMixLength, config.expansion, { rng }),
      );
    } else if (config.grid) {
      const { side, prefix } = config.grid;
      this.grid_mix = this.child(
        'grid_mix',
        new GridMixing(config.hidden_size, side, prefix, { rng }),
      );
    } else if (config.sudoku) {
      const { boxRows, boxCols, prefix } = config.sudoku;
      this.sudoku_mix = this.child(
        'sudoku_mix',
        new SudokuMixing(config.hidden_size, boxRows, boxCols, prefix, { rng }),
      );
    } else {
      const headDim = config.hidden_size / config.num_heads;
      this.self_attn = this.child(
        'self_attn',
        new Attention({ hiddenSize: config.hidden_size, headDim, numHeads: config.num_heads, rng }),
      );
    }
    this.mlp = this.child('mlp', new SwiGLU(config.hidden_size, config.expansion, { rng }));
  }

  /** h [B, L, D] -> [B, L, D] */
  apply(h: tf.Tensor3D, rope: CosSin | null): tf.Tensor3D {
    // A backend's kernel for the whole block where it has one (null otherwise).
    const fused = this.mlp_t
      ? fusedMlpBlock(h, this.mlp_t, this.mlp, this.eps)
      : this.self_attn
        ? fusedAttentionBlock(h, this.self_attn, this.mlp, rope, this.eps)
        : null;
    if (fused) return fused as tf.Tensor3D;
    return tf.tidy(() => {
      const attn = this.self_attn;
      const mixed = attn
        ? postNorm(h, (x) => attn.apply(x, rope ?? undefined), this.eps)
        : (this.mlp_t ?? this.grid_mix ?? this.sudoku_mix!).mix(h, this.eps);
      return postNorm(mixed, (x) => this.mlp.apply(x), this.eps) as tf.Tensor3D;
    });
  }
}

/**
 * A reasoning module (the reference's `H_level` / `L_level`): adds its input
 * injection, then runs its blocks.
 */
export class ReasoningModule extends Module {
  private readonly layers: ReasoningBlock[];

  constructor(numLayers: number, config: BlockConfig, rng: Rng) {
    super();
    this.layers = Array.from({ length: numLayers }, (_, i) =>
      this.child(`layers.${i}`, new ReasoningBlock(config, rng)),
    );
  }

  /** z [B, L, D], injection [B, L, D] -> [B, L, D] */
  apply(z: tf.Tensor3D, injection: tf.Tensor3D, rope: CosSin | null): tf.Tensor3D {
    return tf.tidy(() => {
      let h = tf.add(z, injection) as tf.Tensor3D;
      for (const layer of this.layers) h = layer.apply(h, rope);
      return h;
    });
  }
}
