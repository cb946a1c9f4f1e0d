import {
  type CosSin,
  Embedding,
  LearnedPositionEmbedding,
  Linear,
  Module,
  RotaryEmbedding,
  truncNormal,
} from '@rrm/layers';
import type { Rng } from '@rrm/random';
import * as tf from '@tensorflow/tfjs-core';
import type { Latents } from './carry';
import type { ReasoningConfig } from './config';

/**
 * The per-puzzle embedding table (`puzzle_emb.weights`, zero-initialised). It is a
 * buffer, not an optimiser parameter: training gathers the batch's rows, treats
 * those rows as the differentiable leaf (`local_weights`) and updates the table
 * sparsely with SignSGD.
 */
export class SparsePuzzleEmbedding extends Module {
  readonly weights: tf.Variable; // [num_puzzle_identifiers, puzzle_emb_ndim]

  constructor(num: number, dim: number) {
    super();
    this.weights = this.param('weights', tf.zeros([num, dim]), { trainable: false });
  }

  /** ids int32 [B] -> [B, puzzle_emb_ndim] */
  rows(ids: tf.Tensor1D): tf.Tensor2D {
    return tf.gather(this.weights, ids) as tf.Tensor2D;
  }
}

export type Heads = {
  logits: tf.Tensor3D; // [B, S, V]
  qHalt: tf.Tensor1D; // [B]
  qContinue: tf.Tensor1D; // [B]
};

/**
 * What HRM and TRM share around their recursion: input embedding (tokens, puzzle
 * embedding prefix, positions), the initial latents, and the output heads.
 * Subclasses add their reasoning modules and say how one step recurses, split
 * into the part run without gradient and the part trained by backprop.
 */
export abstract class ReasoningInner extends Module {
  readonly puzzleEmbLen: number;
  /** Positions in the latents: puzzle-embedding prefix + sequence. */
  readonly totalLen: number;
  readonly puzzle_emb: SparsePuzzleEmbedding | null = null;
  readonly H_init: tf.Variable; // [D]
  readonly L_init: tf.Variable; // [D]
  protected readonly rope: RotaryEmbedding | null = null;
  private readonly embed_tokens: Embedding;
  private readonly lm_head: Linear;
  private readonly q_head: Linear;
  private readonly embed_pos: LearnedPositionEmbedding | null = null;
  private readonly embedScale: number;

  constructor(
    readonly cfg: ReasoningConfig,
    puzzleEmbLen: number,
    rng: Rng,
  ) {
    super();
    const D = cfg.hidden_size;
    this.puzzleEmbLen = puzzleEmbLen;
    this.totalLen = cfg.seq_len + puzzleEmbLen;
    this.embedScale = Math.sqrt(D);
    const embedStd = 1 / this.embedScale;
    this.embed_tokens = this.child(
      'embed_tokens',
      new Embedding(cfg.vocab_size, D, { initStd: embedStd, rng }),
    );
    this.lm_head = this.child('lm_head', new Linear(D, cfg.vocab_size, { bias: false, rng }));
    this.q_head = this.child('q_head', new Linear(D, 2, { bias: true, rng }));
    // Halting starts almost never (sigmoid(-5)) so early training bootstraps on the lm loss.
    this.q_head.weight.assign(tf.zerosLike(this.q_head.weight));
    this.q_head.bias!.assign(tf.fill([2], -5));
    if (cfg.puzzle_emb_ndim > 0) {
      this.puzzle_emb = this.child(
        'puzzle_emb',
        new SparsePuzzleEmbedding(cfg.num_puzzle_identifiers, cfg.puzzle_emb_ndim),
      );
    }
    if (cfg.pos_encodings === 'rope') {
      this.rope = new RotaryEmbedding(D / cfg.num_heads, this.totalLen, cfg.rope_theta);
    } else if (cfg.pos_encodings === 'learned') {
      this.embed_pos = this.child(
        'embed_pos',
        new LearnedPositionEmbedding(this.totalLen, D, { initStd: embedStd, rng }),
      );
    }
    this.H_init = this.param('H_init', truncNormal([D], 1, rng), { trainable: false });
    this.L_init = this.param('L_init', truncNormal([D], 1, rng), { trainable: false });
  }

  protected get cosSin(): CosSin | null {
    return this.rope;
  }

  /**
   * x = √D · (tokens with the puzzle embedding prepended [+ positions]).
   * inputs int32 [B, S], puzzleRows [B, puzzle_emb_ndim] (null without puzzle
   * embedding) -> [B, P+S, D]
   */
  inputEmbeddings(inputs: tf.Tensor2D, puzzleRows: tf.Tensor2D | null): tf.Tensor3D {
    return tf.tidy(() => {
      const D = this.cfg.hidden_size;
      let x = this.embed_tokens.apply(inputs) as tf.Tensor3D;
      if (puzzleRows) {
        const pad = this.puzzleEmbLen * D - this.cfg.puzzle_emb_ndim;
        const padded =
          pad > 0
            ? tf.pad(puzzleRows, [
                [0, 0],
                [0, pad],
              ])
            : puzzleRows;
        const prefix = tf.reshape(padded, [-1, this.puzzleEmbLen, D]);
        x = tf.concat([prefix, x], 1) as tf.Tensor3D;
      }
      if (this.embed_pos) x = this.embed_pos.add(x) as tf.Tensor3D;
      return tf.mul(x, this.embedScale) as tf.Tensor3D;
    });
  }

  /** logits from the sequence positions of zH, q-values from its first position. */
  heads(zH: tf.Tensor3D): Heads {
    return tf.tidy(() => {
      const [B, L, D] = zH.shape;
      // Slicing the [B, L, V] logits copies far less than slicing zH [B, L, D].
      const all = this.lm_head.apply(zH);
      const logits = tf.slice(
        all,
        [0, this.puzzleEmbLen, 0],
        [B, L - this.puzzleEmbLen, -1],
      ) as tf.Tensor3D;
      const q = this.q_head.apply(tf.reshape(tf.slice(zH, [0, 0, 0], [B, 1, D]), [B, D]));
      const [qHalt, qContinue] = tf.unstack(q, 1) as tf.Tensor1D[];
      return { logits, qHalt, qContinue };
    });
  }

  /** The recursion up to the updates that get gradient; run outside any gradient tape. */
  abstract noGradCycles(z: Latents, x: tf.Tensor3D): Latents;

  /** The updates backprop goes through (the last L and H updates, or TRM's last cycle). */
  abstract gradCycles(z: Latents, x: tf.Tensor3D): Latents;

  /** One full supervision step of recursion. */
  recurse(z: Latents, x: tf.Tensor3D): Latents {
    return tf.tidy(() => this.gradCycles(this.noGradCycles(z, x), x));
  }

  override dispose(): void {
    super.dispose();
    this.rope?.dispose();
  }
}
