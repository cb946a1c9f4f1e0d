import {
  type ActModel,
  type CreateOptions,
  createActModel,
  disposeLatents,
  type Latents,
  ReasoningInner,
  ReasoningModule,
} from '@rrm/act';
import { Rng } from '@rrm/random';
import * as tf from '@tensorflow/tfjs-core';
import { type TRMConfig, trmConfig, trmPuzzleEmbLen } from './config';

/**
 * TRM's inner model: one reasoning network `L_level` updates both latents. A cycle
 * refines the low-level latent L_cycles times from (zH + x), then the answer latent
 * once from zL: `zL ← net(zL, zH + x)` ×n, `zH ← net(zH, zL)`.
 */
export class TRMInner extends ReasoningInner {
  private readonly L_level: ReasoningModule;

  constructor(
    readonly config: TRMConfig,
    rng: Rng,
  ) {
    const puzzleEmbLen = trmPuzzleEmbLen(config);
    super(config, puzzleEmbLen, rng);
    this.L_level = this.child(
      'L_level',
      new ReasoningModule(
        config.L_layers,
        {
          ...config,
          tokenMixLength: config.mlp_t ? config.seq_len + puzzleEmbLen : undefined,
        },
        rng,
      ),
    );
  }

  private cycle({ zH, zL }: Latents, x: tf.Tensor3D): Latents {
    return tf.tidy(() => {
      const injection = tf.add(zH, x) as tf.Tensor3D;
      let z = zL;
      for (let i = 0; i < this.config.L_cycles; i++)
        z = this.L_level.apply(z, injection, this.cosSin);
      return { zH: this.L_level.apply(zH, z, this.cosSin), zL: z };
    });
  }

  /** H_cycles − 1 full cycles; their result only seeds the graded cycle. */
  noGradCycles(z: Latents, x: tf.Tensor3D): Latents {
    let current = z;
    for (let h = 0; h < this.config.H_cycles - 1; h++) {
      const next = this.cycle(current, x);
      if (current !== z) disposeLatents(current);
      current = next;
    }
    return current;
  }

  /** The last cycle, which backprop goes through in full. */
  gradCycles(z: Latents, x: tf.Tensor3D): Latents {
    return this.cycle(z, x);
  }
}

export type TRM = ActModel<TRMConfig>;

/**
 * A TRM with freshly initialised weights. `config` is a raw object with the
 * reference keys (validated here) or an already validated `TRMConfig`.
 */
export function createTRM(config: unknown, opts: CreateOptions): TRM {
  const c = trmConfig(config);
  return createActModel(c, new TRMInner(c, new Rng(opts.seed)), c.no_ACT_continue, opts);
}
