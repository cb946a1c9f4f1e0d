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
import { ReasoningInner, type ReasoningModule } from '@rrm/reasoning';
import * as tf from '@tensorflow/tfjs-core';
import { type TRMConfig, trmConfig, trmPuzzleEmbLen } from './config';

/** TRM's inner model: one reasoning network, `L_level`, updates both latents. */
export class TRMInner extends ReasoningInner<TRMConfig> implements ActInner {
  readonly L_level: ReasoningModule;

  constructor(config: TRMConfig, rng: Rng) {
    super(config, trmPuzzleEmbLen(config), rng);
    this.L_level = this.child('L_level', this.reasoningModule(config.L_layers, rng));
  }

  /**
   * One supervision step of TRM's deep recursion, named as in the paper: x the input
   * embedding, y (= zH) the answer, z (= zL) the latent reasoning, T = H_cycles and
   * n = L_cycles. A latent recursion is `z ← net(z, x + y)` n times, then `y ← net(y, z)`.
   * The first T − 1 recursions run with the tape paused; the last one is backpropagated
   * in full. The carry leaves detached; the heads read y.
   */
  forward(carry: Latents, inputs: tf.Tensor2D, puzzleRows: tf.Tensor2D | null): InnerOutput {
    return tf.tidy(() => {
      const { H_cycles: T, L_cycles: n } = this.config;
      const x = this.inputEmbeddings(inputs, puzzleRows);
      const net = (h: tf.Tensor3D, injection: tf.Tensor3D) =>
        this.L_level.apply(h, injection, this.cosSin);
      const latentRecursion = ({ y, z }: { y: tf.Tensor3D; z: tf.Tensor3D }) => {
        const yx = tf.add(y, x) as tf.Tensor3D;
        for (let i = 0; i < n; i++) z = net(z, yx);
        return { y: net(y, z), z };
      };

      let yz = noGrad(() => {
        let r = { y: carry.zH, z: carry.zL };
        for (let t = 0; t < T - 1; t++) r = latentRecursion(r);
        return r;
      });
      yz = latentRecursion(yz);

      return { carry: detach({ zH: yz.y, zL: yz.z }), ...this.heads(yz.y) };
    });
  }
}

export type TRM = ActModel<TRMConfig, TRMInner>;

/**
 * A TRM with freshly initialised weights. `config` is a raw object with the
 * reference keys (validated here) or an already validated `TRMConfig`. TRM halts
 * on q_halt > 0 alone unless `no_ACT_continue` is false.
 */
export function createTRM(config: unknown, opts: CreateOptions): TRM {
  const c = trmConfig(config);
  const inner = new TRMInner(c, new Rng(opts.seed));
  return createActModel(c, inner, { ...opts, haltOnQHaltOnly: c.no_ACT_continue });
}
