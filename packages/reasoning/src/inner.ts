import type { Heads } from '@rrm/act';
import {
  type CosSin,
  Embedding,
  LearnedPositionEmbedding,
  Linear,
  Module,
  RotaryEmbedding,
  truncNormal,
} from '@rrm/layers';
import { shapeForCells } from '@rrm/puzzles';
import type { Rng } from '@rrm/random';
import * as tf from '@tensorflow/tfjs-core';
import { ReasoningModule } from './blocks';
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

/**
 * What HRM and TRM share around their recursion (the reference's `inner` model less its
 * `forward`): the input embedding (tokens, puzzle-embedding prefix, positions), the
 * initial latents `H_init`/`L_init`, and the output heads. Subclasses add their reasoning
 * modules and write the recursion in their `forward`.
 */
export abstract class ReasoningInner<C extends ReasoningConfig = ReasoningConfig> extends Module {
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
    readonly config: C,
    puzzleEmbLen: number,
    rng: Rng,
  ) {
    super();
    const D = config.hidden_size;
    this.puzzleEmbLen = puzzleEmbLen;
    this.totalLen = config.seq_len + puzzleEmbLen;
    this.embedScale = Math.sqrt(D);
    const embedStd = 1 / this.embedScale;
    this.embed_tokens = this.child(
      'embed_tokens',
      new Embedding(config.vocab_size, D, { initStd: embedStd, rng }),
    );
    this.lm_head = this.child('lm_head', new Linear(D, config.vocab_size, { bias: false, rng }));
    this.q_head = this.child('q_head', new Linear(D, 2, { bias: true, rng }));
    // Halting starts almost never (sigmoid(-5)) so early training bootstraps on the lm loss.
    tf.tidy(() => {
      this.q_head.weight.assign(tf.zerosLike(this.q_head.weight));
      this.q_head.bias!.assign(tf.fill([2], -5));
    });
    if (config.puzzle_emb_ndim > 0) {
      this.puzzle_emb = this.child(
        'puzzle_emb',
        new SparsePuzzleEmbedding(config.num_puzzle_identifiers, config.puzzle_emb_ndim),
      );
    }
    if (config.pos_encodings === 'rope') {
      this.rope = new RotaryEmbedding(D / config.num_heads, this.totalLen, config.rope_theta);
    } else if (config.pos_encodings === 'learned') {
      this.embed_pos = this.child(
        'embed_pos',
        new LearnedPositionEmbedding(this.totalLen, D, { initStd: embedStd, rng }),
      );
    }
    this.H_init = this.param('H_init', truncNormal([D], 1, rng), { trainable: false });
    this.L_init = this.param('L_init', truncNormal([D], 1, rng), { trainable: false });
  }

  /**
   * A reasoning module of `numLayers` blocks: attending, token-mixing (mlp_t), grid- or
   * Sudoku-mixing.
   */
  protected reasoningModule(numLayers: number, rng: Rng): ReasoningModule {
    const { mlp_t, grid_mix, sudoku_mix, seq_len } = this.config;
    const prefix = this.puzzleEmbLen;
    const tokenMixLength = mlp_t ? this.totalLen : undefined;
    const grid = grid_mix ? { side: Math.sqrt(seq_len), prefix } : undefined;
    const boxes = sudoku_mix ? shapeForCells(seq_len) : null;
    const sudoku = boxes ? { ...boxes, prefix } : undefined;
    return new ReasoningModule(numLayers, { ...this.config, tokenMixLength, grid, sudoku }, rng);
  }

  protected get cosSin(): CosSin | null {
    return this.rope;
  }

  /**
   * The input embedding x = √D · (tokens with the puzzle embedding prepended [+ positions]).
   * inputs int32 [B, S], puzzleRows [B, puzzle_emb_ndim] (null without puzzle
   * embedding) -> [B, P+S, D]
   */
  inputEmbeddings(inputs: tf.Tensor2D, puzzleRows: tf.Tensor2D | null): tf.Tensor3D {
    return tf.tidy(() => {
      const D = this.config.hidden_size;
      let x = this.embed_tokens.apply(inputs) as tf.Tensor3D;
      if (puzzleRows) {
        const pad = this.puzzleEmbLen * D - this.config.puzzle_emb_ndim;
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

  override dispose(): void {
    super.dispose();
    this.rope?.dispose();
  }
}
