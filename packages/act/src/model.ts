import { Module, noGrad, valueAndGradsWithAux } from '@rrm/layers';
import { Rng } from '@rrm/random';
import * as tf from '@tensorflow/tfjs-core';
import {
  type ActBatch,
  type ActCarry,
  disposeCarry,
  initialCarry,
  type Latents,
  type ResetCarry,
  resetCarry,
} from './carry';
import { drawMinHaltSteps, type HaltingConfig, haltDecision, qContinueTarget } from './halting';
import { type ActMetrics, actLossHead, type LossType, toMetrics } from './loss';

/** The inner model's heads: token logits and the two halting q-values. */
export type Heads = {
  logits: tf.Tensor3D; // [B, S, V]
  qHalt: tf.Tensor1D; // [B]
  qContinue: tf.Tensor1D; // [B]
};

/** The inner model's result for one supervision step. */
export type InnerOutput = Heads & {
  /** The latents the next step starts from, detached from the tape. */
  carry: Latents;
};

/**
 * What the ACT frame needs of the model it wraps (the reference's `inner`): the recursion
 * of one supervision step, the initial latents of a restarted sequence, and the sparse
 * puzzle-embedding table.
 */
export interface ActInner extends Module {
  readonly config: { seq_len: number; hidden_size: number };
  /** Positions in the latents: the puzzle-embedding prefix, then the sequence. */
  readonly totalLen: number;
  readonly H_init: tf.Variable; // buffer [D]
  readonly L_init: tf.Variable; // buffer [D]
  readonly puzzle_emb: {
    readonly weights: tf.Variable;
    rows(ids: tf.Tensor1D): tf.Tensor2D;
  } | null;
  /**
   * One supervision step of recursion from `carry`, differentiable where the model's
   * gradient path runs. inputs int32 [B, S]; puzzleRows [B, puzzle_emb_ndim] or null.
   */
  forward(carry: Latents, inputs: tf.Tensor2D, puzzleRows: tf.Tensor2D | null): InnerOutput;
}

export type StepOutputs = Heads & {
  /** Q-learning halting only, in training: the bootstrapped target for qContinue. */
  targetQContinue?: tf.Tensor1D;
};

/** One supervision step: the carry for the next one and this step's outputs. */
export type ActStep = {
  carry: ActCarry;
  outputs: StepOutputs;
};

export type LossSums = {
  loss: number;
  lm_loss: number;
  q_halt_loss: number;
  q_continue_loss: number;
};

/** A supervision step in training with the loss head's results and the gradients. */
export type ActGradStep = ActStep & {
  losses: LossSums;
  metrics: ActMetrics;
  /** d loss / d parameter, aligned with `model.parameters()`. */
  grads: tf.Tensor[];
  /**
   * The sparse puzzle embedding's gradient: one row per sequence (`local_weights`),
   * with the table row each came from. Null without a puzzle embedding.
   */
  puzzleEmbGrad: { ids: tf.Tensor1D; grad: tf.Tensor2D } | null;
};

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
export function disposeStep(r: ActStep | ActGradStep): void {
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
export class ActModel<C = unknown, I extends ActInner = ActInner> extends Module {
  readonly inner: I;
  /** Exploration draws; replace with `Rng.fromState(saved)` to resume a run's stream. */
  explorationRng: Rng;

  constructor(
    readonly config: C,
    inner: I,
    readonly options: ActModelOptions,
  ) {
    super();
    this.inner = this.child('inner', inner);
    this.explorationRng = new Rng(options.seed).fork(EXPLORATION_STREAM);
  }

  /** Number of trainable weights; the puzzle-embedding table (a buffer) is not counted. */
  parameterCount(): number {
    return this.parameters().reduce((n, v) => n + v.size, 0);
  }

  /** Every sequence halted, so the first step loads `batchSize` fresh sequences. */
  initialCarry(batchSize: number): ActCarry {
    const { seq_len, hidden_size } = this.inner.config;
    return initialCarry(batchSize, seq_len, this.inner.totalLen, hidden_size);
  }

  /**
   * One supervision step, no tape recording. Takes ownership of `carry` (disposed); the
   * caller owns the returned carry and outputs (`disposeStep`). In evaluation
   * (`train: false`) every sequence runs exactly `halt_max_steps` steps.
   */
  step(carry: ActCarry, batch: ActBatch, opts: { train: boolean }): ActStep {
    const { state, rows, minHaltSteps } = this.begin(carry, batch, opts.train);
    const result = tf.tidy(() => this.forward(state, rows, opts.train, minHaltSteps));
    this.end(state, rows);
    return result;
  }

  /**
   * One supervision step in training, the loss head, and the gradient of the loss with
   * respect to every trainable parameter and to the batch's puzzle-embedding rows: the
   * same forward as `step`, recorded. Takes ownership of `carry`; the caller owns the
   * rest of the result (`disposeStep`).
   */
  stepWithGrads(carry: ActCarry, batch: ActBatch): ActGradStep {
    const { sums, ...rest } = this.stepWithGradTensors(carry, batch);
    return { ...rest, ...readSums(sums, sums.dataSync()) };
  }

  /** `stepWithGrads` for backends whose tensors can only be read asynchronously (webgpu in Node). */
  async stepWithGradsAsync(carry: ActCarry, batch: ActBatch): Promise<ActGradStep> {
    const { sums, ...rest } = this.stepWithGradTensors(carry, batch);
    return { ...rest, ...readSums(sums, await sums.data()) };
  }

  /** `stepWithGrads` up to its losses and metric sums, still one tensor. */
  private stepWithGradTensors(
    carry: ActCarry,
    batch: ActBatch,
  ): Omit<ActGradStep, 'losses' | 'metrics'> & { sums: tf.Tensor } {
    const { state, rows, minHaltSteps } = this.begin(carry, batch, true);
    const leaves = rows ? [...this.parameters(), rows] : this.parameters();
    const { value, aux, grads } = valueAndGradsWithAux(() => {
      const { carry: next, outputs } = this.forward(state, rows, true, minHaltSteps);
      const head = actLossHead(this.options.lossType, outputs, next);
      // The data passes through unchanged; the rest is new.
      const { data: _, ...latentsAndCounts } = next;
      return { value: head.loss, aux: { next: latentsAndCounts, outputs, sums: head.sums } };
    }, leaves);
    value.dispose();
    const puzzleEmbGrad = rows
      ? { ids: tf.clone(state.data.puzzle_identifiers), grad: grads.pop() as tf.Tensor2D }
      : null;
    this.end(state, rows);
    return {
      carry: { ...aux.next, data: state.data },
      outputs: aux.outputs,
      sums: aux.sums,
      grads,
      puzzleEmbGrad,
    };
  }

  /**
   * The ACT forward of one supervision step (the reference's ACT `forward`): the inner
   * recursion and heads, with gradient where the inner model gives it; then, with the
   * tape paused, the step count, the halting decision and, for Q-learning in training,
   * the bootstrapped q_continue target from one more inner step from the new carry.
   */
  private forward(
    state: ResetCarry,
    rows: tf.Tensor2D | null,
    train: boolean,
    minHaltSteps: Int32Array | null,
  ): ActStep {
    const { carry: latents, ...heads } = this.inner.forward(state, state.data.inputs, rows);
    const { steps, halted } = noGrad(() => {
      const steps = tf.add(state.steps, 1) as tf.Tensor1D;
      const h = { steps, ...heads, train, minHaltSteps };
      return { steps, halted: haltDecision(this.options.halting, h) };
    });
    const outputs: StepOutputs = { ...heads };
    if (this.wantsTarget(train)) {
      outputs.targetQContinue = noGrad(() => {
        const next = this.inner.forward(latents, state.data.inputs, rows);
        return qContinueTarget(this.options.halting, steps, next.qHalt, next.qContinue);
      });
    }
    return { carry: { ...latents, steps, halted, data: state.data }, outputs };
  }

  /**
   * Before the forward, outside any tape: the batch checked, exploration drawn, halted
   * sequences restarted, and the batch's puzzle-embedding rows gathered (the sparse
   * embedding's differentiable leaf). Takes ownership of `carry`.
   */
  private begin(carry: ActCarry, batch: ActBatch, train: boolean) {
    this.checkBatch(batch);
    const halting = this.options.halting;
    const B = carry.halted.shape[0];
    const minHaltSteps = train ? drawMinHaltSteps(this.explorationRng, B, halting) : null;
    const state = tf.tidy(() => resetCarry(carry, batch, this.inner.H_init, this.inner.L_init));
    disposeCarry(carry);
    const rows = this.inner.puzzle_emb?.rows(state.data.puzzle_identifiers) ?? null;
    return { state, rows, minHaltSteps };
  }

  /** Frees what `begin` made, except the data, which the new carry holds. */
  private end(state: ResetCarry, rows: tf.Tensor2D | null): void {
    tf.dispose([state.zH, state.zL, state.steps]);
    rows?.dispose();
  }

  /** Shapes and dtypes, so a wrong batch fails here and not deep inside a kernel. */
  private checkBatch(batch: ActBatch): void {
    const seqLen = this.inner.config.seq_len;
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
}

export interface CreateOptions {
  seed: number;
  /** Loss of the ACT head; the papers use stablemax. */
  lossType?: LossType;
}

/** Puts an inner model under ACT with its config's halting settings. */
export function createActModel<
  C extends { halt_max_steps: number; halt_exploration_prob: number; halt_in_training: boolean },
  I extends ActInner,
>(config: C, inner: I, opts: CreateOptions & { haltOnQHaltOnly: boolean }): ActModel<C, I> {
  return new ActModel(config, inner, {
    seed: opts.seed,
    lossType: opts.lossType ?? 'stablemax_cross_entropy',
    halting: {
      halt_max_steps: config.halt_max_steps,
      halt_exploration_prob: config.halt_exploration_prob,
      halt_in_training: config.halt_in_training,
      haltOnQHaltOnly: opts.haltOnQHaltOnly,
    },
  });
}

/** One step of `evaluationSteps`: valid inside the loop body that receives it. */
export interface EvaluationStep {
  /** 1-based. */
  step: number;
  outputs: StepOutputs;
  carry: ActCarry;
}

/**
 * The supervision steps of evaluation, as the papers evaluate: all `halt_max_steps` of
 * them from a fresh carry, whatever the halting head says (its logit tells where it would
 * stop). Each step's outputs and carry are disposed when the next step is asked for or the
 * loop ends, `break` included: read what you need inside the loop body.
 */
export function* evaluationSteps(
  model: ActModel<unknown>,
  batch: ActBatch,
): Generator<EvaluationStep, void, undefined> {
  let carry = model.initialCarry(batch.inputs.shape[0]);
  try {
    for (let k = 1; k <= model.options.halting.halt_max_steps; k++) {
      const r = model.step(carry, batch, { train: false });
      carry = r.carry;
      try {
        yield { step: k, outputs: r.outputs, carry };
      } finally {
        disposeStep(r);
      }
    }
  } finally {
    disposeCarry(carry);
  }
}
