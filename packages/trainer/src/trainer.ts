/**
 * The deep-supervision training loop with the reference semantics (HRM/TRM `pretrain.py`):
 * the ACT carry persists across batches, each batch is one supervision step for every
 * sequence in the carry (halted ones take new data), the loss is scaled by 1/global batch
 * size, AdamATan2 (or AdamW) updates the dense weights and sparse SignSGD the puzzle
 * embedding, both on the cosine/warm-up schedule, and an optional EMA of the weights is
 * what evaluation and `model.safetensors` use.
 *
 * A checkpoint holds the whole state (weights, optimiser moments, EMA, carry, step,
 * sampler position, exploration RNG), so a resumed run continues the exact same stream.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ActCarry, disposeCarry, disposeStep, loadCheckpoint, saveCheckpoint } from '@rrm/act';
import { arcEvaluatorForDataset } from '@rrm/arc/node';
import {
  AdamATan2,
  AdamW,
  cosineSchedule,
  EMA,
  type OptimizerState,
  readSafetensors,
  SignSGDSparse,
  type TensorRecord,
  type WritableTensor,
  writeSafetensors,
} from '@rrm/layers';
import { TrainSampler, type TrainSamplerState } from '@rrm/puzzles';
import { type OpenedSplit, readSplit } from '@rrm/puzzles/node';
import { Rng, type RngState } from '@rrm/random';
import * as tf from '@tensorflow/tfjs-core';
import {
  atomicWriteFile,
  type CheckpointRef,
  latestCheckpoint,
  writeCheckpointDir,
} from './checkpoint-files.js';
import { ConfigError, type TrainConfig, totalSteps } from './config.js';
import { datasetDir, ensureDataset, type ProgressFn } from './data.js';
import {
  disposeActBatch,
  type EvalResult,
  type Evaluator,
  evaluate,
  toActBatch,
} from './evaluate.js';
import { type MetricRecord, MetricsLog } from './metrics.js';
import { CONFIG_FILE, createModel, MODEL_FILE, type Model, withDatasetKeys } from './model.js';

export const STATE_FILE = 'state.safetensors';
export const STATE_JSON = 'state.json';
const STATE_FORMAT = 'rrm-trainer-state/1';

export interface TrainerOptions {
  /** The resolved config; its arch may leave out the dataset keys (filled in here). */
  config: TrainConfig;
  /** Run folder: config.json, metrics.jsonl/csv, checkpoints/, summary.json. */
  outDir: string;
  /** Continue from the newest checkpoint in `outDir`. */
  resume?: boolean;
  /** Recorded in the run folder; the caller selects it. */
  backend?: string;
  log?: (line: string) => void;
  /** Progress of building the dataset on first use. */
  onDataProgress?: ProgressFn;
}

interface SavedState {
  format: string;
  step: number;
  total_steps: number;
  optimizer_step: number;
  sampler: TrainSamplerState;
  exploration_rng: RngState;
  elapsed_s: number;
  backend: string;
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

export type TrainStatus = 'completed' | 'stopped' | 'nan';

export interface TrainResult {
  status: TrainStatus;
  step: number;
  totalSteps: number;
  /** Newest checkpoint on disk when the run ended (the last good one after a NaN). */
  checkpoint: CheckpointRef | null;
  final: EvalResult | null;
  /** Training wall time over all sessions of this run, seconds. */
  elapsed_s: number;
  message?: string;
}

export interface RunOptions {
  /** When aborted (SIGINT/SIGTERM), the run saves a checkpoint after the current step and returns. */
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  onEvalProgress?: ProgressFn;
  /** Called after every applied step (tests use it to interrupt or to corrupt a weight). */
  onStep?: (step: number, record: MetricRecord) => void;
}

function evaluatorsFor(names: string[], dataDir: string): Evaluator[] {
  return names.map((name) => {
    if (name === 'arc') return arcEvaluatorForDataset(dataDir);
    throw new ConfigError(`config key "evaluators": unknown evaluator "${name}" (known: arc)`);
  });
}

function f32(v: tf.Tensor): WritableTensor {
  return { dtype: 'F32', shape: v.shape, data: v.dataSync() as Float32Array };
}

function i32(v: tf.Tensor): WritableTensor {
  const cast = tf.cast(v, 'int32');
  const data = cast.dataSync() as Int32Array;
  cast.dispose();
  return { dtype: 'I32', shape: v.shape, data };
}

/** Tensors saved under `prefix.` come back without it. */
function withPrefix(
  prefix: string,
  tensors: Record<string, WritableTensor>,
): Record<string, WritableTensor> {
  return Object.fromEntries(Object.entries(tensors).map(([k, v]) => [`${prefix}.${k}`, v]));
}

function stripPrefix(
  prefix: string,
  tensors: Map<string, TensorRecord>,
): Record<string, WritableTensor> {
  const out: Record<string, WritableTensor> = {};
  for (const [k, v] of tensors) {
    if (k.startsWith(`${prefix}.`)) out[k.slice(prefix.length + 1)] = v as WritableTensor;
  }
  return out;
}

export class Trainer {
  readonly config: TrainConfig;
  readonly model: Model;
  readonly totalSteps: number;
  readonly outDir: string;
  readonly checkpointsDir: string;
  readonly dataDir: string;
  private readonly train: OpenedSplit;
  private readonly test: OpenedSplit;
  private sampler: TrainSampler;
  private readonly optimizer: AdamATan2 | AdamW;
  private readonly sparse: SignSGDSparse | null;
  private readonly ema: EMA | null;
  private carry: ActCarry;
  private step_ = 0;
  private elapsedBefore = 0;
  private sessionStart = performance.now();
  private readonly lr: (step: number) => number;
  private readonly puzzleEmbLr: (step: number) => number;
  private readonly evalEvery: number | null;
  readonly metrics: MetricsLog;
  private readonly backend: string;
  private readonly log: (line: string) => void;

  constructor(opts: TrainerOptions) {
    this.log = opts.log ?? (() => {});
    this.backend = opts.backend ?? tf.getBackend();
    this.outDir = opts.outDir;
    this.checkpointsDir = join(opts.outDir, 'checkpoints');
    const latest = latestCheckpoint(this.checkpointsDir);
    if (opts.resume && !latest)
      throw new ConfigError(`${this.checkpointsDir}: no checkpoint to resume from`);
    if (!opts.resume && latest) {
      throw new ConfigError(
        `${opts.outDir} already holds checkpoints; pass --resume to continue it or choose another --out`,
      );
    }
    this.dataDir = datasetDir(opts.config);
    if (ensureDataset(opts.config, opts.onDataProgress)) this.log(`dataset: built ${this.dataDir}`);
    // Built once here so that a bad evaluator name or a missing file fails before training.
    evaluatorsFor(opts.config.evaluators, this.dataDir);
    this.train = readSplit(this.dataDir, 'train');
    this.test = readSplit(this.dataDir, 'test');
    const cfg = withDatasetKeys(opts.config, this.train.metadata);
    this.config = cfg;
    this.totalSteps = totalSteps(cfg, this.train.metadata);
    if (this.totalSteps < 1) {
      throw new ConfigError(
        `config: ${cfg.epochs} epochs of ${this.train.metadata.total_groups} groups at global_batch_size ${cfg.global_batch_size} is less than one step`,
      );
    }
    const stepsPerEpoch =
      (this.train.metadata.total_groups * this.train.metadata.mean_puzzle_examples) /
      cfg.global_batch_size;
    this.evalEvery =
      cfg.eval_interval === null
        ? null
        : Math.max(1, Math.round(cfg.eval_interval * stepsPerEpoch));
    mkdirSync(this.outDir, { recursive: true });

    this.model = createModel(cfg);
    const adamOpts = { lr: 0, beta1: cfg.beta1, beta2: cfg.beta2, weightDecay: cfg.weight_decay };
    this.optimizer = cfg.optimizer === 'adamw' ? new AdamW(adamOpts) : new AdamATan2(adamOpts);
    this.sparse = this.model.inner.puzzle_emb ? new SignSGDSparse() : null;
    this.ema = cfg.ema ? new EMA(this.model.parameters(), cfg.ema_rate) : null;
    const schedule = (baseLr: number) =>
      cosineSchedule({
        baseLr,
        warmupSteps: cfg.lr_warmup_steps,
        totalSteps: this.totalSteps,
        minRatio: cfg.lr_min_ratio,
      });
    this.lr = schedule(cfg.lr);
    this.puzzleEmbLr = schedule(cfg.puzzle_emb_lr);
    this.carry = this.model.initialCarry(cfg.global_batch_size);

    let samplerState: TrainSamplerState | undefined;
    if (opts.resume && latest) samplerState = this.restore(latest.dir);
    this.sampler = new TrainSampler(
      this.train,
      { globalBatchSize: cfg.global_batch_size, seed: cfg.seed },
      samplerState,
    );
    this.metrics = new MetricsLog(this.outDir, opts.resume ? this.step_ : undefined);
    atomicWriteFile(join(this.outDir, CONFIG_FILE), `${JSON.stringify(cfg, null, 2)}\n`);
    atomicWriteFile(
      join(this.outDir, 'backend.json'),
      `${JSON.stringify({ backend: this.backend })}\n`,
    );
  }

  get step(): number {
    return this.step_;
  }

  get elapsedSeconds(): number {
    return this.elapsedBefore + (performance.now() - this.sessionStart) / 1000;
  }

  /** Learning rates of `step` (1-based, as the reference counts): [dense, puzzle embedding]. */
  learningRates(step: number): [number, number] {
    return [this.lr(step), this.puzzleEmbLr(step)];
  }

  /**
   * One batch: a supervision step for every sequence in the carry, then the optimisers.
   * Returns the reference's train metrics (losses over the global batch, the rest over
   * the halted sequences' count). Throws NonFiniteLossError, without touching the
   * weights, when the loss is NaN or infinite.
   */
  trainStep(): MetricRecord {
    const cfg = this.config;
    const batch = toActBatch(this.sampler.next());
    const r = this.model.trainStep(this.carry, batch);
    disposeActBatch(batch);
    this.carry = r.carry;
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
      tf.tidy(() => {
        const g = tf.mul(r.puzzleEmbGrad!.grad, scale) as tf.Tensor2D;
        this.sparse!.step(table, r.puzzleEmbGrad!.ids, g, puzzleLr, cfg.puzzle_emb_weight_decay);
      });
    }
    this.ema?.update();
    disposeStep(r);
    this.step_ = step;

    const count = Math.max(r.metrics.count, 1);
    const rec: MetricRecord = { step };
    for (const [k, v] of Object.entries(r.losses)) rec[`train/${k}`] = v * scale;
    for (const [k, v] of Object.entries(r.metrics))
      rec[`train/${k}`] = k === 'count' ? v : v / count;
    rec['train/lr'] = lr;
    rec.time_s = Number(this.elapsedSeconds.toFixed(3));
    return rec;
  }

  /** Evaluates on the test split (with the EMA weights when enabled). */
  async evaluate(onProgress?: ProgressFn): Promise<EvalResult> {
    const run = () =>
      evaluate(this.model, this.test, {
        batchSize: this.config.eval_batch_size ?? this.config.global_batch_size,
        evaluators: evaluatorsFor(this.config.evaluators, this.dataDir),
        onProgress,
      });
    return this.ema ? this.ema.apply(run) : run();
  }

  private evalRecord(r: EvalResult): MetricRecord {
    const rec: MetricRecord = { step: this.step_ };
    for (const [set, m] of Object.entries(r.sets)) {
      rec[`eval/${set}/accuracy`] = m.accuracy;
      rec[`eval/${set}/exact_accuracy`] = m.exact_accuracy;
      rec[`eval/${set}/q_halt_accuracy`] = m.q_halt_accuracy;
      rec[`eval/${set}/mean_halt_step`] = m.halting.mean_halt_step;
      for (const s of m.by_step) rec[`eval/${set}/exact_accuracy@${s.step}`] = s.exact_accuracy;
    }
    for (const [k, v] of Object.entries(r.metrics)) rec[`eval/${k}`] = v;
    rec.eval_s = r.wall_s;
    return rec;
  }

  /** Writes a checkpoint of the whole training state; keeps the newest `keep_checkpoints`. */
  save(): CheckpointRef {
    const modelBytes = this.withEvalWeights(() => saveCheckpoint(this.model));
    const tensors: Record<string, WritableTensor> = {};
    if (this.ema) {
      for (const [name, v] of this.model.trainableNamedParameters())
        tensors[`train.${name}`] = f32(v);
      Object.assign(tensors, withPrefix('ema', this.ema.getState().tensors));
    }
    const optim = this.optimizer.getState();
    Object.assign(tensors, withPrefix('optim', optim.tensors));
    const c = this.carry;
    Object.assign(tensors, {
      'carry.zH': f32(c.zH),
      'carry.zL': f32(c.zL),
      'carry.steps': i32(c.steps),
      'carry.halted': i32(c.halted),
      'carry.inputs': i32(c.data.inputs),
      'carry.labels': i32(c.data.labels),
      'carry.puzzle_identifiers': i32(c.data.puzzle_identifiers),
    });
    const state: SavedState = {
      format: STATE_FORMAT,
      step: this.step_,
      total_steps: this.totalSteps,
      optimizer_step: optim.step,
      sampler: this.sampler.getState(),
      exploration_rng: this.model.explorationRng.getState(),
      elapsed_s: this.elapsedSeconds,
      backend: this.backend,
    };
    return writeCheckpointDir(
      this.checkpointsDir,
      this.step_,
      {
        [MODEL_FILE]: modelBytes,
        [CONFIG_FILE]: `${JSON.stringify(this.config, null, 2)}\n`,
        [STATE_FILE]: writeSafetensors(tensors),
        [STATE_JSON]: `${JSON.stringify(state, null, 2)}\n`,
      },
      this.config.keep_checkpoints,
    );
  }

  private withEvalWeights<T>(fn: () => T): T {
    if (!this.ema) return fn();
    this.ema.swapIn();
    try {
      return fn();
    } finally {
      this.ema.swapOut();
    }
  }

  /** Loads a checkpoint folder's state into this trainer; returns the sampler state. */
  private restore(dir: string): TrainSamplerState {
    const statePath = join(dir, STATE_JSON);
    const state = JSON.parse(readFileSync(statePath, 'utf8')) as SavedState;
    if (state.format !== STATE_FORMAT)
      throw new Error(`${statePath}: unknown format "${state.format}"`);
    if (state.total_steps !== this.totalSteps) {
      this.log(
        `resume: total steps ${state.total_steps} -> ${this.totalSteps} (config changed); the LR schedule follows the new count`,
      );
    }
    const modelPath = join(dir, MODEL_FILE);
    loadCheckpoint(this.model, readFileSync(modelPath), { source: modelPath });
    const tensorPath = join(dir, STATE_FILE);
    const saved = readSafetensors(readFileSync(tensorPath), tensorPath).tensors;
    const get = (name: string): TensorRecord => {
      const t = saved.get(name);
      if (!t) throw new Error(`${tensorPath}: tensor "${name}" missing`);
      return t;
    };
    if (this.ema) {
      for (const [name, v] of this.model.trainableNamedParameters()) {
        const t = get(`train.${name}`);
        tf.tidy(() => v.assign(tf.tensor(t.data, t.shape, 'float32')));
      }
      this.ema.loadState({ step: 0, tensors: stripPrefix('ema', saved) });
    }
    if (state.optimizer_step > 0) {
      const optim: OptimizerState = {
        step: state.optimizer_step,
        tensors: stripPrefix('optim', saved),
      };
      this.optimizer.loadState(optim, this.model.parameters());
    }
    const int = (name: string) => {
      const t = get(name);
      return tf.tensor(t.data, t.shape, 'int32');
    };
    const float = (name: string) => {
      const t = get(name);
      return tf.tensor(t.data, t.shape, 'float32');
    };
    disposeCarry(this.carry);
    const halted = int('carry.halted');
    this.carry = {
      zH: float('carry.zH') as tf.Tensor3D,
      zL: float('carry.zL') as tf.Tensor3D,
      steps: int('carry.steps') as tf.Tensor1D,
      halted: tf.cast(halted, 'bool') as tf.Tensor1D,
      data: {
        inputs: int('carry.inputs') as tf.Tensor2D,
        labels: int('carry.labels') as tf.Tensor2D,
        puzzle_identifiers: int('carry.puzzle_identifiers') as tf.Tensor1D,
      },
    };
    halted.dispose();
    this.model.explorationRng = Rng.fromState(state.exploration_rng);
    this.step_ = state.step;
    this.elapsedBefore = state.elapsed_s;
    this.log(`resume: step ${state.step} from ${dir}`);
    return state.sampler;
  }

  private writeSummary(result: TrainResult): void {
    const summary = {
      status: result.status,
      message: result.message,
      step: result.step,
      total_steps: result.totalSteps,
      elapsed_s: Number(result.elapsed_s.toFixed(2)),
      backend: this.backend,
      parameters: this.model.parameterCount(),
      checkpoint: result.checkpoint?.dir ?? null,
      final: result.final,
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    atomicWriteFile(join(this.outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  }

  private finish(status: TrainStatus, final: EvalResult | null, message?: string): TrainResult {
    const result: TrainResult = {
      status,
      step: this.step_,
      totalSteps: this.totalSteps,
      checkpoint: latestCheckpoint(this.checkpointsDir),
      final,
      elapsed_s: this.elapsedSeconds,
      message,
    };
    this.writeSummary(result);
    return result;
  }

  /**
   * Trains to the end (or until `signal` aborts, or the loss goes NaN), evaluating every
   * `eval_interval` epochs and at the end, checkpointing every `checkpoint_every` steps.
   */
  async run(opts: RunOptions = {}): Promise<TrainResult> {
    this.sessionStart = performance.now();
    const cfg = this.config;
    while (this.step_ < this.totalSteps) {
      if (opts.signal?.aborted) {
        this.save();
        return this.finish('stopped', null, `stopped at step ${this.step_}`);
      }
      let rec: MetricRecord;
      try {
        rec = this.trainStep();
      } catch (e) {
        if (!(e instanceof NonFiniteLossError)) throw e;
        const last = latestCheckpoint(this.checkpointsDir);
        const kept = last
          ? `last good checkpoint: step ${last.step} (${last.dir})`
          : 'no checkpoint was written';
        return this.finish('nan', null, `${e.message}; stopped, ${kept}`);
      }
      this.metrics.log(rec);
      opts.onProgress?.(this.step_, this.totalSteps, {
        loss: rec['train/loss'],
        acc: rec['train/accuracy'],
        exact: rec['train/exact_accuracy'],
      });
      const last = this.step_ === this.totalSteps;
      if (!last && this.evalEvery !== null && this.step_ % this.evalEvery === 0) {
        this.metrics.log(this.evalRecord(await this.evaluate(opts.onEvalProgress)));
        this.save();
      } else if (!last && cfg.checkpoint_every > 0 && this.step_ % cfg.checkpoint_every === 0) {
        this.save();
      }
      opts.onStep?.(this.step_, rec);
      // Let signal handlers run between steps.
      await new Promise((resolve) => setImmediate(resolve));
    }
    // Saved before the final evaluation too, which can be long: stopping it loses no training.
    this.save();
    const final = await this.evaluate(opts.onEvalProgress);
    this.metrics.log(this.evalRecord(final));
    this.save();
    return this.finish('completed', final);
  }

  dispose(): void {
    disposeCarry(this.carry);
    this.optimizer.dispose();
    this.ema?.dispose();
    this.model.dispose();
    this.train.close();
    this.test.close();
  }
}
