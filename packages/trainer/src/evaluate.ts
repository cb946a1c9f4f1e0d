/**
 * Evaluation as the reference does it: each test batch starts from a fresh carry and runs
 * `halt_max_steps` supervision steps (every sequence halts only at the last one). The
 * predictions after every step are scored, so the result shows how answers improve with
 * recursion; optional evaluators (ARC voting) see the final predictions.
 */
import { type ActBatch, evaluationSteps, haltLogit } from '@rrm/act';
import { type Batch, type ProgressCallback, type PuzzleSplit, testBatches } from '@rrm/puzzles';
import * as tf from '@tensorflow/tfjs-core';
import { SetEvalAccumulator, type SetEvalMetrics } from './eval-metrics.js';
import type { Model } from './loop.js';

/** What an evaluator (e.g. `ArcEvaluator` from @rrm/arc) receives for every test batch. */
export interface EvaluatorBatch {
  inputs: Int32Array;
  puzzleIdentifiers: Int32Array;
  preds: Int32Array;
  qHaltLogits: Float32Array;
}

export interface Evaluator {
  update(batch: EvaluatorBatch): void;
  result(): { metrics: Record<string, number> };
}

export interface EvalResult {
  sets: Record<string, SetEvalMetrics>;
  /** Evaluator metrics, e.g. `ARC/pass@2`. */
  metrics: Record<string, number>;
  wall_s: number;
}

export interface EvaluateOptions {
  batchSize: number;
  evaluators?: Evaluator[];
  onProgress?: ProgressCallback;
}

export function toActBatch(b: Batch): ActBatch {
  return {
    inputs: tf.tensor2d(b.inputs, [b.batchSize, b.seqLen], 'int32'),
    labels: tf.tensor2d(b.labels, [b.batchSize, b.seqLen], 'int32'),
    puzzle_identifiers: tf.tensor1d(b.puzzleIdentifiers, 'int32'),
  };
}

export function disposeActBatch(b: ActBatch): void {
  tf.dispose([b.inputs, b.labels, b.puzzle_identifiers]);
}

function haltMaxSteps(model: Model): number {
  return model.options.halting.halt_max_steps;
}

/**
 * Predictions [B*S], q_halt logits [B] and the model's halting logits [B] (haltLogit:
 * positive where its rule stops) after each of the `halt_max_steps` steps.
 */
async function runBatch(
  model: Model,
  batch: Batch,
): Promise<{ preds: Int32Array[]; qHalt: Float32Array[]; haltLogit: Float32Array[] }> {
  const act = toActBatch(batch);
  const preds: Int32Array[] = [];
  const qHalt: Float32Array[] = [];
  const halts: Float32Array[] = [];
  try {
    for (const { outputs } of evaluationSteps(model, act)) {
      const argmax = tf.argMax(outputs.logits, -1);
      const halt = haltLogit(model.options.halting, outputs.qHalt, outputs.qContinue);
      // Read asynchronously: GPU backends (webgpu in Node) read no other way.
      const [p, q, h] = await Promise.all([argmax.data(), outputs.qHalt.data(), halt.data()]);
      tf.dispose([argmax, halt]);
      preds.push(p as Int32Array);
      qHalt.push(q as Float32Array);
      halts.push(h as Float32Array);
    }
  } finally {
    disposeActBatch(act);
  }
  return { preds, qHalt, haltLogit: halts };
}

export async function evaluate(
  model: Model,
  split: PuzzleSplit,
  opts: EvaluateOptions,
): Promise<EvalResult> {
  const t0 = performance.now();
  const accumulators: Record<string, SetEvalAccumulator> = {};
  const total = split.metadata.sets.reduce(
    (n, s) => n + Math.ceil(split.sets[s].inputs.numRows / opts.batchSize),
    0,
  );
  let done = 0;
  for (const batch of testBatches(split, opts.batchSize)) {
    const { preds, qHalt, haltLogit } = await runBatch(model, batch);
    accumulators[batch.setName] ??= new SetEvalAccumulator(haltMaxSteps(model));
    accumulators[batch.setName].addBatch(preds, { qHalt, haltLogit }, batch.labels, batch.seqLen);
    for (const e of opts.evaluators ?? []) {
      e.update({
        inputs: batch.inputs,
        puzzleIdentifiers: batch.puzzleIdentifiers,
        preds: preds[preds.length - 1],
        qHaltLogits: qHalt[qHalt.length - 1],
      });
    }
    opts.onProgress?.(++done, total);
  }
  const sets: Record<string, SetEvalMetrics> = {};
  for (const [name, acc] of Object.entries(accumulators)) sets[name] = acc.result();
  const metrics: Record<string, number> = {};
  for (const e of opts.evaluators ?? []) Object.assign(metrics, e.result().metrics);
  return { sets, metrics, wall_s: (performance.now() - t0) / 1000 };
}
