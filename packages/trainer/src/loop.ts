/**
 * The deep-supervision loop itself, with no files: the model and its two optimisers on
 * the cosine/warm-up schedule, the EMA, the ACT carry and the sampler. It runs wherever
 * TF.js runs (a browser tab, a worker); `Trainer` adds the run folder, checkpoints and
 * metrics files around it.
 */
import { type ActCarry, type ActModel, disposeCarry, disposeStep } from '@rrm/act';
import { createModel as createKind, saveCheckpoint } from '@rrm/checkpoint';
import { AdamATan2, AdamW, cosineSchedule, downloadValues, EMA, SignSGDSparse } from '@rrm/layers';
import {
  type PuzzleDatasetMetadata,
  type PuzzleSplit,
  TrainSampler,
  type TrainSamplerState,
} from '@rrm/puzzles';
import type { Rng } from '@rrm/random';
import { ConfigError } from '@rrm/reasoning';
import * as tf from '@tensorflow/tfjs-core';
import { firstNonFinite } from './checks.js';
import type { TrainConfig } from './config.js';
import {
  disposeActBatch,
  type EvalResult,
  type Evaluator,
  evaluate,
  toActBatch,
} from './evaluate.js';
import type { MetricRecord } from './metrics.js';

export type Model = ActModel<unknown>;

/** The arch keys a dataset decides, filled in from its metadata. */
export function withDatasetKeys(cfg: TrainConfig, meta: PuzzleDatasetMetadata): TrainConfig {
  return {
    ...cfg,
    arch: {
      ...cfg.arch,
      batch_size: cfg.global_batch_size,
      seq_len: meta.seq_len,
      vocab_size: meta.vocab_size,
      num_puzzle_identifiers: meta.num_puzzle_identifiers,
    },
  };
}

/** A freshly initialised model; `cfg.arch` must hold the dataset keys (`withDatasetKeys`). */
export function createModel(cfg: TrainConfig): Model {
  const opts = { seed: cfg.seed, lossType: cfg.loss_type };
  try {
    return createKind(cfg.model, cfg.arch, opts) as Model;
  } catch (e) {
    // The model packages name the field; say that it lives under `arch`.
    throw new ConfigError(`config "arch" (${cfg.model}): ${(e as Error).message}`);
  }
}

/** The loss of step `step` was NaN or infinite; nothing of that step was applied. */
export class NonFiniteLossError extends Error {
  constructor(
    readonly step: number,
    readonly loss: number,
  ) {
    super(`loss is ${loss} at step ${step}`);
    this.name = 'NonFiniteLossError';
  }
}

/** Step `step`'s update left a weight NaN or infinite. */
export class NonFiniteUpdateError extends Error {
  constructor(
    readonly step: number,
    readonly parameter: string,
  ) {
    super(`weight "${parameter}" is not finite after the update of step ${step}`);
    this.name = 'NonFiniteUpdateError';
  }
}

/** `model.safetensors` bytes of the weights evaluation uses: the EMA's when there is one. */
export function modelCheckpoint(model: Model, ema: EMA | null): Promise<Uint8Array> {
  const save = async () => {
    await downloadValues(model.stateDict().values());
    return saveCheckpoint(model);
  };
  return ema ? ema.apply(save) : save();
}

/** Where a resumed loop continues: what a checkpoint restored besides the weights. */
export interface LoopPosition {
  step: number;
  carry: ActCarry;
  sampler: TrainSamplerState;
  explorationRng: Rng;
  elapsed_s: number;
}

export class TrainingLoop {
  readonly config: TrainConfig;
  readonly model: Model;
  readonly optimizer: AdamATan2 | AdamW;
  readonly sparse: SignSGDSparse | null;
  readonly ema: EMA | null;
  private carry_: ActCarry;
  private sampler_: TrainSampler;
  private step_ = 0;
  private elapsedBefore = 0;
  /** When the clock was started; null while it is stopped. */
  private clockFrom: number | null = null;
  private readonly lr: (step: number) => number;
  private readonly puzzleEmbLr: (step: number) => number;

  /**
   * A fresh loop over `train` for `totalSteps` steps. `config.arch` must hold the dataset
   * keys (`withDatasetKeys`); `model` replaces the freshly initialised one (init_from).
   */
  constructor(
    config: TrainConfig,
    private readonly train: PuzzleSplit,
    readonly totalSteps: number,
    model?: Model,
  ) {
    // Each batch takes one example per group of one set; test before any tensor is made.
    const groups = Math.max(...Object.values(train.sets).map((s) => s.groupIndices.length - 1));
    if (groups < config.global_batch_size) {
      throw new ConfigError(
        `config key "global_batch_size": ${config.global_batch_size} is more than the ${groups} puzzle groups of the train split (a batch takes one example from each of that many groups); lower it, or train on more puzzles`,
      );
    }
    this.config = config;
    this.model = model ?? createModel(config);
    const adamOpts = {
      lr: 0,
      beta1: config.beta1,
      beta2: config.beta2,
      weightDecay: config.weight_decay,
    };
    this.optimizer = config.optimizer === 'adamw' ? new AdamW(adamOpts) : new AdamATan2(adamOpts);
    this.sparse = this.model.inner.puzzle_emb ? new SignSGDSparse() : null;
    this.ema = config.ema ? new EMA(this.model.parameters(), config.ema_rate) : null;
    const schedule = (baseLr: number) =>
      cosineSchedule({
        baseLr,
        warmupSteps: config.lr_warmup_steps,
        totalSteps,
        minRatio: config.lr_min_ratio,
      });
    this.lr = schedule(config.lr);
    this.puzzleEmbLr = schedule(config.puzzle_emb_lr);
    this.carry_ = this.model.initialCarry(config.global_batch_size);
    this.sampler_ = this.samplerAt();
  }

  private samplerAt(state?: TrainSamplerState): TrainSampler {
    const opts = { globalBatchSize: this.config.global_batch_size, seed: this.config.seed };
    return new TrainSampler(this.train, opts, state);
  }

  /** Continues from a restored position (the weights, moments and EMA already loaded). */
  resumeAt(at: LoopPosition): void {
    this.sampler_ = this.samplerAt(at.sampler);
    disposeCarry(this.carry_);
    this.carry_ = at.carry;
    this.model.explorationRng = at.explorationRng;
    this.step_ = at.step;
    this.elapsedBefore = at.elapsed_s;
    this.clockFrom = null;
  }

  get step(): number {
    return this.step_;
  }

  get carry(): ActCarry {
    return this.carry_;
  }

  get samplerState(): TrainSamplerState {
    return this.sampler_.getState();
  }

  /** Training wall time, seconds: the time the clock ran, over all sessions. */
  get elapsedSeconds(): number {
    const running = this.clockFrom === null ? 0 : (performance.now() - this.clockFrom) / 1000;
    return this.elapsedBefore + running;
  }

  /** The clock runs while training runs, so a pause (or the time before a resume) is not counted. */
  startClock(): void {
    this.clockFrom ??= performance.now();
  }

  stopClock(): void {
    this.elapsedBefore = this.elapsedSeconds;
    this.clockFrom = null;
  }

  /** Learning rates of `step` (1-based, as the reference counts): [dense, puzzle embedding]. */
  learningRates(step: number): [number, number] {
    return [this.lr(step), this.puzzleEmbLr(step)];
  }

  /**
   * One batch: a supervision step for every sequence in the carry, then the optimisers.
   * Returns the reference's train metrics (losses over the global batch, the rest over
   * the halted sequences' count). Throws NonFiniteLossError, without touching the
   * weights, when the loss is NaN or infinite, and NonFiniteUpdateError when the update
   * left a weight that is.
   */
  async trainStep(): Promise<MetricRecord> {
    const cfg = this.config;
    const batch = toActBatch(this.sampler_.next());
    const r = await this.model.stepWithGradsAsync(this.carry_, batch);
    disposeActBatch(batch);
    this.carry_ = r.carry;
    const step = this.step_ + 1;
    if (!Number.isFinite(r.losses.loss)) {
      disposeStep(r);
      throw new NonFiniteLossError(step, r.losses.loss);
    }
    const [lr, puzzleLr] = this.learningRates(step);
    const scale = 1 / cfg.global_batch_size;
    this.optimizer.lr = lr;
    tf.tidy(() => {
      this.optimizer.step(
        this.model.parameters(),
        r.grads.map((g) => tf.mul(g, scale)),
      );
    });
    const table = this.model.inner.puzzle_emb?.weights;
    if (this.sparse && table && r.puzzleEmbGrad) {
      const g = tf.mul(r.puzzleEmbGrad.grad, scale) as tf.Tensor2D;
      await this.sparse.step(table, r.puzzleEmbGrad.ids, g, puzzleLr, cfg.puzzle_emb_weight_decay);
      g.dispose();
    }
    this.ema?.update();
    disposeStep(r);
    this.step_ = step;
    const bad = await firstNonFinite([...this.model.stateDict()]);
    if (bad !== null) throw new NonFiniteUpdateError(step, bad);

    const count = Math.max(r.metrics.count, 1);
    const rec: MetricRecord = { step };
    for (const [k, v] of Object.entries(r.losses)) rec[`train/${k}`] = v * scale;
    for (const [k, v] of Object.entries(r.metrics))
      rec[`train/${k}`] = k === 'count' ? v : v / count;
    rec['train/lr'] = lr;
    rec.time_s = Number(this.elapsedSeconds.toFixed(3));
    return rec;
  }

  /** Evaluates on `test` (with the EMA weights when enabled), all supervision steps. */
  evaluate(
    test: PuzzleSplit,
    opts: { evaluators?: Evaluator[]; onProgress?: (done: number, total: number) => void } = {},
  ): Promise<EvalResult> {
    const run = () =>
      evaluate(this.model, test, {
        batchSize: this.config.eval_batch_size ?? this.config.global_batch_size,
        ...opts,
      });
    return this.ema ? this.ema.apply(run) : run();
  }

  /** `model.safetensors` of the weights evaluation uses (the EMA's when enabled). */
  modelCheckpoint(): Promise<Uint8Array> {
    return modelCheckpoint(this.model, this.ema);
  }

  /** Frees every tensor the loop holds. */
  dispose(): void {
    disposeCarry(this.carry_);
    this.optimizer.dispose();
    this.ema?.dispose();
    this.model.dispose();
  }
}
