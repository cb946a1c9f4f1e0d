import {
  type ActModel,
  type CreateOptions,
  createActModel,
  defaultPuzzleEmbLen,
  type Latents,
  ReasoningInner,
  ReasoningModule,
} from '@rrm/act';
import { Rng } from '@rrm/random';
import * as tf from '@tensorflow/tfjs-core';
import { type HRMConfig, hrmConfig } from './config';

/**
 * HRM's inner model: a slow high-level module `H_level` and a fast low-level one
 * `L_level`. Every L update is `zL ← L(zL, zH + x)`, and after each L_cycles of
 * them `zH ← H(zH, zL)`. Only the very last L and H updates get gradient (the
 * one-step approximation of the fixed point's gradient).
 */
export class HRMInner extends ReasoningInner {
  private readonly H_level: ReasoningModule;
  private readonly L_level: ReasoningModule;

  constructor(
    readonly config: HRMConfig,
    rng: Rng,
  ) {
    super(config, defaultPuzzleEmbLen(config.puzzle_emb_ndim, config.hidden_size), rng);
    this.H_level = this.child('H_level', new ReasoningModule(config.H_layers, config, rng));
    this.L_level = this.child('L_level', new ReasoningModule(config.L_layers, config, rng));
  }

  private updateL(z: Latents, x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => this.L_level.apply(z.zL, tf.add(z.zH, x) as tf.Tensor3D, this.cosSin));
  }

  private updateH(z: Latents): tf.Tensor3D {
    return this.H_level.apply(z.zH, z.zL, this.cosSin);
  }

  /** All H_cycles × L_cycles L updates and H_cycles H updates except the last of each. */
  noGradCycles(z: Latents, x: tf.Tensor3D): Latents {
    const { H_cycles, L_cycles } = this.config;
    let { zH, zL } = z;
    // Intermediate latents are freed as soon as they are replaced; the inputs are the caller's.
    const release = (t: tf.Tensor) => t !== z.zH && t !== z.zL && t.dispose();
    for (let h = 0; h < H_cycles; h++) {
      const lastH = h === H_cycles - 1;
      for (let l = 0; l < (lastH ? L_cycles - 1 : L_cycles); l++) {
        const next = this.updateL({ zH, zL }, x);
        release(zL);
        zL = next;
      }
      if (!lastH) {
        const next = this.updateH({ zH, zL });
        release(zH);
        zH = next;
      }
    }
    return { zH, zL };
  }

  /** The last L update and the last H update. */
  gradCycles(z: Latents, x: tf.Tensor3D): Latents {
    return tf.tidy(() => {
      const zL = this.updateL(z, x);
      return { zH: this.updateH({ zH: z.zH, zL }), zL };
    });
  }
}

export type HRM = ActModel<HRMConfig>;

/**
 * An HRM with freshly initialised weights. `config` is a raw object with the
 * reference keys (validated here) or an already validated `HRMConfig`. HRM halts
 * by Q-learning: q_halt > q_continue, with q_continue trained on a bootstrapped target.
 */
export function createHRM(config: unknown, opts: CreateOptions): HRM {
  const c = hrmConfig(config);
  return createActModel(c, new HRMInner(c, new Rng(opts.seed)), false, opts);
}
