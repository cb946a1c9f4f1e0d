import { Module } from '@rrm/layers';
import { Rng } from '@rrm/random';
import * as tf from '@tensorflow/tfjs-core';
import {
  type ActBatch,
  type ActCarry,
  disposeCarry,
  initialCarry,
  type Latents,
  resetCarry,
} from './carry';
import type { LossType, ReasoningConfig } from './config';
import { drawMinHaltSteps, type HaltingConfig, haltDecision, qContinueTarget } from './halting';
import type { Heads, ReasoningInner } from './inner';
import { type ActMetrics, actLoss, actMetricSums, sequenceCorrectness, toMetrics } from './loss';
import { withoutGradient } from './no-grad';

export type StepOutputs = Heads & {
  /** Q-learning halting only, in training: the bootstrapped target for qContinue. */
  targetQContinue?: tf.Tensor1D;
};

export type StepResult = {
  carry: ActCarry;
  outputs: StepOutputs;
};

export type LossSums = {
  loss: number;
  lm_loss: number;
  q_halt_loss: number;
  q_continue_loss: number;
};

export type ScoredStep = StepResult & {
  losses: LossSums;
  metrics: ActMetrics;
};

export type TrainStepResult = ScoredStep & {
  /** d loss / d parameter, aligned with `model.parameters()`. */
  grads: tf.Tensor[];
  /**
   * The sparse puzzle embedding's gradient: one row per sequence (`local_weights`),
   * with the table row each came from. Null without a puzzle embedding.
   */
  puzzleEmbGrad: { ids: tf.Tensor1D; grad: tf.Tensor2D } | null;
};

/** The losses and metric sums of a step from the values of `sums`, which it disposes. */
function readSums(sums: tf.Tensor, v: tf.TypedArray): { losses: LossSums; metrics: ActMetrics } {
  sums.dispose();
  return {
    losses: { loss: v[0], lm_loss: v[1], q_halt_loss: v[2], q_continue_loss: v[3] },
    metrics: toMetrics(v.subarray(4)),
  };
}

export type ActModelOptions = {
  halting: HaltingConfig;
  lossType: LossType;
  /** Seeds the exploration stream; save `explorationRng.getState()` to resume it. */
  seed: number;
};

/** Frees a step's outputs and gradients (not its carry, which the next step consumes). */
export function disposeStep(r: StepResult | TrainStepResult): void {
  const { logits, qHalt, qContinue, targetQContinue } = r.outputs;
  tf.dispose([logits, qHalt, qContinue]);
  targetQContinue?.dispose();
  if ('grads' in r) {
    tf.dispose(r.grads);
    if (r.puzzleEmbGrad) tf.dispose([r.puzzleEmbGrad.ids, r.puzzleEmbGrad.grad]);
  }
}

const EXPLORATION_STREAM = 0x4143; // fork label of the exploration stream

/**
 * A recursive reasoning model under adaptive computation time: each call is one
 * supervision step on a batch of sequences, each of which carries its latents
 * over from the previous step until it halts. Parameters are named as the
 * reference checkpoints name them below `_orig_mod.model.` (`inner.L_level...`).
 */
export class ActModel<C = unknown> extends Module {
  readonly inner: ReasoningInner;
  /** Exploration draws; replace with `Rng.fromState(saved)` to resume a run's stream. */
  explorationRng: Rng;

  constructor(
    readonly config: C,
    inner: ReasoningInner,
    readonly options: ActModelOptions,
  ) {
    super();
    this.inner = this.child('inner', inner);
    this.explorationRng = new Rng(options.seed).fork(EXPLORATION_STREAM);
  }

  /** Trainable parameters under their reference names, in `parameters()` order. */
  trainableNamedParameters(): Array<[string, tf.Variable]> {
    return this.namedParameters().filter(([, v]) => v.trainable);
  }

  /** Number of trainable weights; the puzzle-embedding table (a buffer) is not counted. */
  parameterCount(): number {
    return this.parameters().reduce((n, v) => n + v.size, 0);
  }

  /** Every sequence halted, so the first step loads `batchSize` fresh sequences. */
  initialCarry(batchSize: number): ActCarry {
    const { seq_len, hidden_size } = this.inner.cfg;
    return initialCarry(batchSize, seq_len, this.inner.totalLen, hidden_size);
  }

  /**
   * One supervision step without gradient. Takes ownership of `carry` (disposed);
   * the caller owns the returned carry and outputs (`disposeStep`). In evaluation
   * (`train: false`) every sequence runs exactly `halt_max_steps` steps.
   */
  step(carry: ActCarry, batch: ActBatch, opts: { train: boolean }): StepResult {
    this.checkBatch(batch);
    const minHaltSteps = this.drawExploration(carry, opts.train);
    const result = tf.tidy(() => {
      const r = resetCarry(carry, batch, this.initH, this.initL);
      const x = this.inner.inputEmbeddings(
        r.data.inputs,
        this.puzzleRows(r.data.puzzle_identifiers),
      );
      const z = this.inner.recurse(r, x);
      const heads = this.inner.heads(z.zH);
      const steps = tf.add(r.steps, 1) as tf.Tensor1D;
      const target = this.wantsTarget(opts.train) ? this.targetQ(z, x, steps) : undefined;
      return this.finishStep(z, steps, r.data, heads, target, opts.train, minHaltSteps);
    });
    disposeCarry(carry);
    return result;
  }

  /** `step` plus the loss head's losses and metrics (what evaluation records). */
  scoredStep(carry: ActCarry, batch: ActBatch, opts: { train: boolean }): ScoredStep {
    const result = this.step(carry, batch, opts);
    const { carry: c, outputs: o } = result;
    const sums = tf.tidy(() => {
      const correctness = sequenceCorrectness(o.logits, c.data.labels);
      const losses = this.losses(o, c.data.labels, correctness);
      return tf.concat([losses, actMetricSums(correctness, o.qHalt, c.halted, c.steps)]);
    });
    return { ...result, ...readSums(sums, sums.dataSync()) };
  }

  /**
   * One training step: the supervision step in train mode, the loss head, and the
   * gradient of the loss with respect to every trainable parameter and to the
   * batch's puzzle-embedding rows. The first `H_cycles − 1` cycles (TRM) or all but
   * the last L and H updates (HRM) run before the gradient tape starts. Takes
   * ownership of `carry`; the caller owns the rest of the result (`disposeStep`).
   */
  trainStep(carry: ActCarry, batch: ActBatch): TrainStepResult {
    const { sums, ...rest } = this.trainStepTensors(carry, batch);
    return { ...rest, ...readSums(sums, sums.dataSync()) };
  }

  /** `trainStep` up to its losses and metric sums, still one tensor. */
  private trainStepTensors(
    carry: ActCarry,
    batch: ActBatch,
  ): Omit<TrainStepResult, 'losses' | 'metrics'> & { sums: tf.Tensor } {
    this.checkBatch(batch);
    const minHaltSteps = this.drawExploration(carry, true);
    const pre = tf.tidy(() => {
      const r = resetCarry(carry, batch, this.initH, this.initL);
      const rows = this.puzzleRows(r.data.puzzle_identifiers);
      const z = this.inner.noGradCycles(r, this.inner.inputEmbeddings(r.data.inputs, rows));
      return {
        z,
        steps: tf.add(r.steps, 1) as tf.Tensor1D,
        data: r.data,
        rows: rows ? [rows] : [],
      };
    });
    disposeCarry(carry);
    const rows = pre.rows[0] ?? null;

    // Tensors the gradient closure hands out; tf.keep lets them outlive its scope.
    let fwd: {
      z: Latents;
      heads: Heads;
      target?: tf.Tensor1D;
      losses: tf.Tensor1D;
      correctness: tf.Tensor2D;
    };
    const { value, grads } = tf.valueAndGrads(() => {
      const x = this.inner.inputEmbeddings(pre.data.inputs, rows);
      const z = this.inner.gradCycles(pre.z, x);
      const heads = this.inner.heads(z.zH);
      const labels = pre.data.labels;
      const correctness = withoutGradient(() => sequenceCorrectness(heads.logits, labels));
      const target = this.wantsTarget(true)
        ? withoutGradient(() => this.targetQ(z, x, pre.steps))
        : undefined;
      const l = actLoss(this.options.lossType, {
        ...heads,
        labels,
        targetQContinue: target ?? null,
        correctness,
      });
      const losses = withoutGradient(() =>
        tf.stack([l.loss, l.lmLoss, l.qHaltLoss, l.qContinueLoss]),
      );
      fwd = { z, heads, target, losses: losses as tf.Tensor1D, correctness };
      for (const t of [z.zH, z.zL, heads.logits, heads.qHalt, heads.qContinue, losses, correctness])
        tf.keep(t);
      if (target) tf.keep(target);
      return l.loss;
    })([...this.parameters(), ...(rows ? [rows] : [])]);
    value.dispose();
    tf.dispose([pre.z.zH, pre.z.zL]);
    const f = fwd!;

    const result = this.finishStep(f.z, pre.steps, pre.data, f.heads, f.target, true, minHaltSteps);
    const sums = tf.tidy(() =>
      tf.concat([
        f.losses,
        actMetricSums(f.correctness, f.heads.qHalt, result.carry.halted, result.carry.steps),
      ]),
    );
    tf.dispose([f.losses, f.correctness]);
    const puzzleEmbGrad = rows
      ? { ids: tf.clone(pre.data.puzzle_identifiers), grad: grads.pop() as tf.Tensor2D }
      : null;
    rows?.dispose();
    return { ...result, sums, grads, puzzleEmbGrad };
  }

  /** `trainStep` for backends whose tensors can only be read asynchronously (webgpu in Node). */
  async trainStepAsync(carry: ActCarry, batch: ActBatch): Promise<TrainStepResult> {
    const { sums, ...rest } = this.trainStepTensors(carry, batch);
    return { ...rest, ...readSums(sums, await sums.data()) };
  }

  private get initH(): tf.Tensor1D {
    return this.inner.H_init as tf.Tensor1D;
  }

  private get initL(): tf.Tensor1D {
    return this.inner.L_init as tf.Tensor1D;
  }

  /** [loss, lm_loss, q_halt_loss, q_continue_loss] without gradient. */
  private losses(o: StepOutputs, labels: tf.Tensor2D, correctness: tf.Tensor2D): tf.Tensor1D {
    const l = actLoss(this.options.lossType, {
      ...o,
      labels,
      targetQContinue: o.targetQContinue ?? null,
      correctness,
    });
    return tf.stack([l.loss, l.lmLoss, l.qHaltLoss, l.qContinueLoss]) as tf.Tensor1D;
  }

  /** Steps are counted; halting is decided from the q-values, with no gradient. */
  private finishStep(
    z: Latents,
    steps: tf.Tensor1D,
    data: ActBatch,
    heads: Heads,
    target: tf.Tensor1D | undefined,
    train: boolean,
    minHaltSteps: Int32Array | null,
  ): StepResult {
    const halted = haltDecision(this.options.halting, { steps, ...heads, train, minHaltSteps });
    const outputs: StepOutputs = target ? { ...heads, targetQContinue: target } : { ...heads };
    return { carry: { ...z, steps, halted, data }, outputs };
  }

  /** Shapes and dtypes, so a wrong batch fails here and not deep inside a kernel. */
  private checkBatch(batch: ActBatch): void {
    const seqLen = this.inner.cfg.seq_len;
    const B = batch.inputs.shape[0];
    const expect: Array<[string, tf.Tensor | undefined, number[]]> = [
      ['inputs', batch.inputs, [B, seqLen]],
      ['labels', batch.labels, [B, seqLen]],
      ['puzzle_identifiers', batch.puzzle_identifiers, [B]],
    ];
    for (const [name, t, shape] of expect) {
      const ok =
        t &&
        t.dtype === 'int32' &&
        t.shape.length === shape.length &&
        t.shape.every((d, i) => d === shape[i]);
      if (!ok) {
        const got = t ? `${t.dtype} [${t.shape.join(', ')}]` : 'nothing';
        throw new Error(
          `ACT step: batch.${name} must be int32 [${shape.join(', ')}] (seq_len ${seqLen}), got ${got}`,
        );
      }
    }
  }

  private wantsTarget(train: boolean): boolean {
    const h = this.options.halting;
    return train && !h.haltOnQHaltOnly && h.halt_max_steps > 1;
  }

  /** Q-learning target from one more forward pass from the new carry, without gradient. */
  private targetQ(z: Latents, x: tf.Tensor3D, steps: tf.Tensor1D): tf.Tensor1D {
    return tf.tidy(() => {
      const next = this.inner.heads(this.inner.recurse(z, x).zH);
      return qContinueTarget(this.options.halting, steps, next.qHalt, next.qContinue);
    });
  }

  private puzzleRows(ids: tf.Tensor1D): tf.Tensor2D | null {
    return this.inner.puzzle_emb ? this.inner.puzzle_emb.rows(ids) : null;
  }

  private drawExploration(carry: ActCarry, train: boolean): Int32Array | null {
    if (!train) return null;
    return drawMinHaltSteps(this.explorationRng, carry.halted.shape[0], this.options.halting);
  }
}

export interface CreateOptions {
  seed: number;
  /** Loss of the ACT head; the papers use stablemax. */
  lossType?: LossType;
}

/** Puts an inner model under ACT with its config's halting settings. */
export function createActModel<C extends ReasoningConfig>(
  config: C,
  inner: ReasoningInner,
  haltOnQHaltOnly: boolean,
  opts: CreateOptions,
): ActModel<C> {
  return new ActModel(config, inner, {
    seed: opts.seed,
    lossType: opts.lossType ?? 'stablemax_cross_entropy',
    halting: {
      halt_max_steps: config.halt_max_steps,
      halt_exploration_prob: config.halt_exploration_prob,
      haltOnQHaltOnly,
    },
  });
}
