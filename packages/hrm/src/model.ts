import {
  type ActInner,
  type ActModel,
  type CreateOptions,
  createActModel,
  type InnerOutput,
  type Latents,
} from '@rrm/act';
import { detach, noGrad } from '@rrm/layers';
import { Rng } from '@rrm/random';
import { defaultPuzzleEmbLen, ReasoningInner, type ReasoningModule } from '@rrm/reasoning';
import * as tf from '@tensorflow/tfjs-core';
import { type HRMConfig, hrmConfig } from './config';

/** HRM's inner model: a slow high-level module `H_level` and a fast low-level one `L_level`. */
export class HRMInner extends ReasoningInner<HRMConfig> implements ActInner {
  readonly H_level: ReasoningModule;
  readonly L_level: ReasoningModule;

  constructor(config: HRMConfig, rng: Rng) {
    super(config, defaultPuzzleEmbLen(config.puzzle_emb_ndim, config.hidden_size), rng);
    this.H_level = this.child('H_level', this.reasoningModule(config.H_layers, rng));
    this.L_level = this.child('L_level', this.reasoningModule(config.L_layers, rng));
  }

  /**
   * One supervision step of HRM's hierarchical recursion: x the input embedding, zH the
   * slow high-level state, zL the fast low-level one, T = H_cycles and n = L_cycles.
   * T cycles of: `zL ← L(zL, zH + x)` n times, then `zH ← H(zH, zL)`. Every update but the
   * very last L and H ones runs with the tape paused (the one-step approximation of the
   * fixed point's gradient). The carry leaves detached; the heads read zH.
   */
  forward(carry: Latents, inputs: tf.Tensor2D, puzzleRows: tf.Tensor2D | null): InnerOutput {
    return tf.tidy(() => {
      const { H_cycles: T, L_cycles: n } = this.config;
      const x = this.inputEmbeddings(inputs, puzzleRows);
      const L = (zL: tf.Tensor3D, zH: tf.Tensor3D) =>
        this.L_level.apply(zL, tf.add(zH, x) as tf.Tensor3D, this.cosSin);
      const H = (zH: tf.Tensor3D, zL: tf.Tensor3D) => this.H_level.apply(zH, zL, this.cosSin);

      let { zH, zL } = noGrad(() => {
        let { zH, zL } = carry;
        for (let h = 0; h < T; h++) {
          for (let l = 0; l < n; l++) if (h < T - 1 || l < n - 1) zL = L(zL, zH);
          if (h < T - 1) zH = H(zH, zL);
        }
        return { zH, zL };
      });
      zL = L(zL, zH);
      zH = H(zH, zL);

      return { carry: detach({ zH, zL }), ...this.heads(zH) };
    });
  }
}

export type HRM = ActModel<HRMConfig, HRMInner>;

/**
 * An HRM with freshly initialised weights. `config` is a raw object with the
 * reference keys (validated here) or an already validated `HRMConfig`. HRM halts
 * by Q-learning: q_halt > q_continue, with q_continue trained on a bootstrapped target.
 */
export function createHRM(config: unknown, opts: CreateOptions): HRM {
  const c = hrmConfig(config);
  const inner = new HRMInner(c, new Rng(opts.seed));
  return createActModel(c, inner, { ...opts, haltOnQHaltOnly: false });
}
