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
import { readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { ProgressCallback } from '@rrm/puzzles';
import type { OpenedSplit } from '@rrm/puzzles/node';
import { Rng } from '@rrm/random';
import { ConfigError } from '@rrm/reasoning';
import * as tf from '@tensorflow/tfjs-core';
import {
  atomicWriteFile,
  type CheckpointRef,
  checkpointDirName,
  latestCheckpoint,
  listCheckpoints,
  pruneCheckpoints,
  writeCheckpointDir,
} from './checkpoint-files.js';
import { checkFiniteWeights, checkModelFitsDataset } from './checks.js';
import { configJson, type TrainConfig, totalSteps } from './config.js';
import type { TrainingData } from './data.js';
import type { EvalResult, Evaluator } from './evaluate.js';
import {
  createModel,
  type Model,
  NonFiniteLossError,
  NonFiniteUpdateError,
  TrainingLoop,
  withDatasetKeys,
} from './loop.js';
import { type MetricRecord, MetricsLog } from './metrics.js';
import { CONFIG_FILE, initWeights } from './model.js';
import { describeFsError, isFsError, type RunFolder, RunFolderError } from './run-folder.js';
import {
  checkpointFiles,
  loadTrainingState,
  readSavedState,
  type TrainingParts,
} from './train-state.js';

/**
 * What a run needs, opened by the caller in this order: the run folder (`openRunFolder`:
 * a bad `--out` fails before anything long), then the data (`openTrainingData`). The
 * trainer owns both from here: `dispose()`, or a constructor that throws, closes them.
 */
export interface TrainerOptions {
  /** The resolved config; its arch may leave out the dataset keys (filled in here). */
  config: TrainConfig;
  /** Where config.json, metrics.jsonl/csv, checkpoints/ and summary.json go; resumes from its `resumeFrom`. */
  run: RunFolder;
  data: TrainingData;
  /** Recorded in the run folder; the caller selects it. */
  backend?: string;
  log?: (line: string) => void;
  /**
   * The evaluators that the config's `evaluators` may name; the app passes them (rrm-train:
   * `{ arc: arcEvaluatorForDataset }` from `@rrm/arc/node`). None by default.
   */
  evaluators?: EvaluatorFactories;
}

/** A checkpoint's training state cannot be resumed from; the message says which file and why. */
export class TrainStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainStateError';
  }
}

/** Where a checkpoint whose weights gave a non-finite loss is moved, out of the resume order. */
export const NONFINITE_PREFIX = 'nonfinite_';

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
  onProgress?: ProgressCallback;
  onEvalProgress?: ProgressCallback;
  /**
   * Called after every applied step, before its checkpoint or evaluation (tests use it to
   * interrupt or to corrupt a weight).
   */
  onStep?: (step: number, record: MetricRecord) => void;
}

/** Evaluators by the name a config's `evaluators` gives, each built from the dataset folder. */
export type EvaluatorFactories = Record<string, (dataDir: string) => Evaluator>;

function evaluatorsFor(names: string[], dataDir: string, known: EvaluatorFactories): Evaluator[] {
  return names.map((name) => {
    const make = Object.hasOwn(known, name) ? known[name] : undefined;
    if (make) return make(dataDir);
    const list = Object.keys(known).join(', ') || 'none given';
    throw new ConfigError(`config key "evaluators": unknown evaluator "${name}" (known: ${list})`);
  });
}

/** A run folder's `summary.json`, or null when it is missing or unreadable. */
function readSummary(
  dir: string,
): { status: string; step: number; final: EvalResult | null } | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  } catch {
    return null;
  }
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
  private readonly loop: TrainingLoop;
  private readonly evalEvery: number | null;
  private metrics!: MetricsLog;
  private readonly backend: string;
  private readonly log: (line: string) => void;
  private readonly run_: RunFolder;
  private readonly data: TrainingData;
  private readonly evaluatorFactories: EvaluatorFactories;

  /**
   * A trainer ready to run: the model and optimisers built, a resumed run's whole state
   * restored. Async because restoring reads the loaded weights back to check them, which
   * GPU backends do only asynchronously.
   */
  static async open(opts: TrainerOptions): Promise<Trainer> {
    const trainer = new Trainer(opts);
    try {
      await trainer.start(opts.run.resumeFrom);
    } catch (e) {
      trainer.releaseAfterFailedStart();
      throw trainer.startError(e);
    }
    return trainer;
  }

  private constructor(opts: TrainerOptions) {
    this.log = opts.log ?? (() => {});
    this.backend = opts.backend ?? tf.getBackend();
    this.run_ = opts.run;
    this.data = opts.data;
    this.outDir = opts.run.dir;
    this.checkpointsDir = opts.run.checkpointsDir;
    this.dataDir = opts.data.dir;
    const resumeFrom = opts.run.resumeFrom;
    try {
      // Built once here so that a bad evaluator name or a missing file fails before training.
      this.evaluatorFactories = opts.evaluators ?? {};
      evaluatorsFor(opts.config.evaluators, this.dataDir, this.evaluatorFactories);
      this.train = opts.data.train;
      this.test = opts.data.test;
      if (resumeFrom) {
        checkModelFitsDataset(opts.config.arch, this.train.metadata, {
          model: `run ${join(this.outDir, CONFIG_FILE)}`,
          dataset: this.dataDir,
        });
      }
      const cfg = withDatasetKeys(opts.config, this.train.metadata);
      this.config = cfg;
      if (this.train.metadata.total_groups === 0) {
        throw new ConfigError(
          `${this.dataDir}: the train split is empty (a test-only dataset, as rrm-data --train 0 builds); train on a dataset with training puzzles`,
        );
      }
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

      this.model = createModel(cfg);
      // Before the loop is built: its EMA starts from these weights.
      if (!resumeFrom) initWeights(this.model, cfg, this.log);
      this.loop = new TrainingLoop(cfg, this.train, this.totalSteps, this.model);
    } catch (e) {
      this.releaseAfterFailedStart();
      throw this.startError(e);
    }
  }

  /** Restores a resumed run's state (else starts the data stream afresh) and writes the run's files. */
  private async start(resumeFrom: CheckpointRef | null): Promise<void> {
    const cfg = this.config;
    if (resumeFrom) await this.restore(resumeFrom);
    this.metrics = new MetricsLog(this.outDir, resumeFrom ? this.step : undefined);
    atomicWriteFile(join(this.outDir, CONFIG_FILE), configJson(cfg));
    atomicWriteFile(
      join(this.outDir, 'backend.json'),
      `${JSON.stringify({ backend: this.backend })}\n`,
    );
  }

  private startError(e: unknown): unknown {
    return isFsError(e)
      ? new RunFolderError(
          `${e.path ?? this.outDir}: ${describeFsError(e)} (starting the run in ${this.outDir})`,
        )
      : e;
  }

  /** A constructor that failed leaves no lock, and no empty folder the run folder created. */
  private releaseAfterFailedStart(): void {
    if (this.loop) this.loop.dispose();
    else this.model?.dispose();
    this.data.close();
    this.run_.release();
  }

  get step(): number {
    return this.loop.step;
  }

  get elapsedSeconds(): number {
    return this.loop.elapsedSeconds;
  }

  /** Learning rates of `step` (1-based, as the reference counts): [dense, puzzle embedding]. */
  learningRates(step: number): [number, number] {
    return this.loop.learningRates(step);
  }

  /** One batch (`TrainingLoop.trainStep`); the run must not be saved after it throws. */
  trainStep(): Promise<MetricRecord> {
    return this.loop.trainStep();
  }

  /** Evaluates on the test split (with the EMA weights when enabled). */
  evaluate(onProgress?: ProgressCallback): Promise<EvalResult> {
    const evaluators = evaluatorsFor(this.config.evaluators, this.dataDir, this.evaluatorFactories);
    return this.loop.evaluate(this.test, { evaluators, onProgress });
  }

  private evalRecord(r: EvalResult): MetricRecord {
    const rec: MetricRecord = { step: this.step };
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

  /**
   * Writes a checkpoint of the whole training state. It keeps the newest
   * `keep_checkpoints` plus, until the next step's loss shows that the new checkpoint's
   * weights are good (`run` prunes then), one more.
   */
  async save(): Promise<CheckpointRef> {
    await checkFiniteWeights([...this.model.stateDict()], `checkpoint of step ${this.step}`);
    const files = await checkpointFiles(this.parts, this.loop.carry, this.config, {
      step: this.step,
      total_steps: this.totalSteps,
      sampler: this.loop.samplerState,
      exploration_rng: this.model.explorationRng.getState(),
      elapsed_s: this.elapsedSeconds,
      backend: this.backend,
    });
    return writeCheckpointDir(
      this.checkpointsDir,
      this.step,
      files,
      this.config.keep_checkpoints + 1,
    );
  }

  private get parts(): TrainingParts {
    return { model: this.model, optimizer: this.loop.optimizer, ema: this.loop.ema };
  }

  /** Loads a checkpoint folder's state into this trainer. */
  private async restore(checkpoint: CheckpointRef): Promise<void> {
    try {
      return await this.restoreFrom(checkpoint);
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      const earlier = listCheckpoints(this.checkpointsDir).filter((c) => c.step < checkpoint.step);
      const advice =
        earlier.length > 0
          ? `move ${checkpoint.dir} away to resume from step ${earlier[earlier.length - 1].step}`
          : 'no earlier checkpoint is left';
      throw new TrainStateError(
        `cannot resume from ${checkpoint.dir}: ${(e as Error).message}; ${advice}`,
      );
    }
  }

  private async restoreFrom({ dir, step }: CheckpointRef): Promise<void> {
    const state = readSavedState(dir, step);
    if (state.step > this.totalSteps) {
      throw new ConfigError(
        `resume: the checkpoint is at step ${state.step}, past the ${this.totalSteps} steps the config now gives (epochs, max_steps)`,
      );
    }
    if (state.total_steps !== this.totalSteps) {
      this.log(
        `resume: total steps ${state.total_steps} -> ${this.totalSteps} (config changed); the LR schedule follows the new count`,
      );
    }
    this.loop.resumeAt({
      step: state.step,
      carry: await loadTrainingState(dir, this.parts, state),
      sampler: state.sampler,
      explorationRng: Rng.fromState(state.exploration_rng),
      elapsed_s: state.elapsed_s,
    });
    this.log(`resume: step ${state.step} from ${dir}`);
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
      step: this.step,
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
   * A write that fails (disk full) ends the run with a RunFolderError naming the file and
   * the step; the checkpoints already on disk stay resumable.
   */
  async run(opts: RunOptions = {}): Promise<TrainResult> {
    try {
      return await this.runSteps(opts);
    } catch (e) {
      if (!isFsError(e)) throw e;
      const last = latestCheckpoint(this.checkpointsDir);
      throw new RunFolderError(
        `step ${this.step}: cannot write ${e.path ?? this.outDir}: ${describeFsError(e)}; ` +
          (last
            ? `the run folder keeps the checkpoint of step ${last.step}; free space, then continue with --resume`
            : 'no checkpoint was written yet'),
      );
    }
  }

  private async runSteps(opts: RunOptions): Promise<TrainResult> {
    this.loop.startClock();
    try {
      return await this.runStepsTimed(opts);
    } finally {
      this.loop.stopClock();
    }
  }

  private async runStepsTimed(opts: RunOptions): Promise<TrainResult> {
    const cfg = this.config;
    if (this.step >= this.totalSteps) return this.finishCompleted(opts);
    while (this.step < this.totalSteps) {
      if (opts.signal?.aborted) {
        await this.save();
        return this.finish('stopped', null, `stopped at step ${this.step}`);
      }
      let rec: MetricRecord;
      try {
        rec = await this.trainStep();
      } catch (e) {
        if (e instanceof NonFiniteLossError) {
          // The newest checkpoint's weights are the ones that gave this loss.
          return this.finish('nan', null, `${e.message}; stopped, ${this.keepGood(e.step - 1)}`);
        }
        if (e instanceof NonFiniteUpdateError)
          return this.finish('nan', null, `${e.message}; stopped, ${this.keepGood(null)}`);
        throw e;
      }
      // This step's finite loss vouches for a checkpoint of the step before.
      pruneCheckpoints(this.checkpointsDir, cfg.keep_checkpoints);
      this.metrics.log(rec);
      opts.onProgress?.(this.step, this.totalSteps, {
        loss: rec['train/loss'],
        acc: rec['train/accuracy'],
        exact: rec['train/exact_accuracy'],
      });
      opts.onStep?.(this.step, rec);
      const last = this.step === this.totalSteps;
      if (!last && this.evalEvery !== null && this.step % this.evalEvery === 0) {
        this.metrics.log(this.evalRecord(await this.evaluate(opts.onEvalProgress)));
        await this.save();
      } else if (!last && cfg.checkpoint_every > 0 && this.step % cfg.checkpoint_every === 0) {
        await this.save();
      }
      // Let signal handlers run between steps.
      await new Promise((resolve) => setImmediate(resolve));
    }
    // Saved before the final evaluation too, which can be long: stopping it loses no training.
    await this.save();
    const final = await this.evaluate(opts.onEvalProgress);
    return this.finishCompleted(opts, final);
  }

  /**
   * The end of a run, also reached again by `--resume` of a run that had finished: the
   * final evaluation is read back from `summary.json` rather than run (and logged) twice.
   */
  private async finishCompleted(opts: RunOptions, final?: EvalResult): Promise<TrainResult> {
    if (!final) {
      const done = readSummary(this.outDir);
      if (done?.status === 'completed' && done.step === this.step && done.final) {
        this.log(`resume: the run had completed at step ${this.step}; nothing left to do`);
        final = done.final;
      } else {
        final = await this.evaluate(opts.onEvalProgress);
      }
    }
    if (!this.metrics.hasEvalAt(this.step)) this.metrics.log(this.evalRecord(final));
    const result = this.finish('completed', final);
    return result;
  }

  /**
   * After a non-finite loss or update: `suspect` is the step whose checkpoint holds the
   * weights that gave the NaN loss (null: none does). That checkpoint is moved out of the
   * resume order; the message names the one kept.
   */
  private keepGood(suspect: number | null): string {
    let moved = '';
    const latest = latestCheckpoint(this.checkpointsDir);
    if (suspect !== null && latest?.step === suspect) {
      const to = join(this.checkpointsDir, `${NONFINITE_PREFIX}${checkpointDirName(suspect)}`);
      renameSync(latest.dir, to);
      moved = `; the checkpoint of step ${suspect}, whose weights gave it, moved to ${to}`;
    }
    const good = latestCheckpoint(this.checkpointsDir);
    return good
      ? `last good checkpoint: step ${good.step} (${good.dir}), whose weights and loss were finite${moved}`
      : moved
        ? `no good checkpoint is left${moved}`
        : 'no checkpoint was written yet';
  }

  /** Frees the tensors and files and releases the run folder's lock. */
  dispose(): void {
    this.loop.dispose();
    this.data.close();
    this.run_.release();
  }
}
