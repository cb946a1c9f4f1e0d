import { type ActBatch, type ActModel, disposeCarry, disposeStep, evaluationSteps } from '@rrm/act';
import { modelFromWeights } from '@rrm/checkpoint';
import { type TensorRecord, toTensor } from '@rrm/layers';
import * as tf from '@tensorflow/tfjs-core';
import { loadParityCase, type ParityCase, record } from './case';
import { compareOutputs, gradientError, mismatches, relativeError, TOLERANCES } from './compare';

/** The largest errors found in one case, and every check that missed its tolerance. */
export interface ParityReport {
  case: string;
  model: 'trm' | 'hrm';
  ok: boolean;
  /** eval mode, all steps: max |Δ| of logits, q-values, latents after step 1 */
  /**
   * eval mode: max |Δ| of logits and q-values (later steps from the reference's
   * carry after step 1), of the latents after step 1, and of the logits when every
   * step runs from this port's own carry (`drift`, reported, not checked).
   */
  eval: { logits: number; q: number; latents: number; drift: number };
  /** train mode: max relative error of the losses and metric sums, max grad error (relative to the tensor's max) */
  train: { losses: number; metrics: number; grads: number; worstGrad: string };
  failures: string[];
  backend: string;
}

const LOSS_KEYS = ['loss', 'lm_loss', 'q_halt_loss', 'q_continue_loss'] as const;
const METRIC_KEYS = ['count', 'accuracy', 'exact_accuracy', 'q_halt_accuracy'] as const;

function createModel(c: ParityCase): ActModel {
  return modelFromWeights(c.config.model, c.config.arch, c.weights.tensors, {
    seed: c.config.seed,
    source: `${c.dir}/weights.safetensors`,
  });
}

function readBatch(c: ParityCase): ActBatch {
  const source = `${c.dir}/batch.safetensors`;
  const get = (name: string) => toTensor(record(c.batch, name, source));
  return {
    inputs: get('inputs') as tf.Tensor2D,
    labels: get('labels') as tf.Tensor2D,
    puzzle_identifiers: get('puzzle_identifiers') as tf.Tensor1D,
  };
}

class Checker {
  readonly failures: string[] = [];
  readonly eval = { logits: 0, q: 0, latents: 0, drift: 0 };
  readonly train = { losses: 0, metrics: 0, grads: 0, worstGrad: '' };

  async output(
    kind: 'logits' | 'q' | 'latents',
    what: string,
    t: tf.Tensor,
    ref: TensorRecord,
  ): Promise<void> {
    const { maxAbs, ok } = compareOutputs(what, await t.data(), ref.data);
    this.eval[kind] = Math.max(this.eval[kind], maxAbs);
    if (!ok)
      this.failures.push(
        `${what}: max |Δ| ${maxAbs.toExponential(2)} beyond ${TOLERANCES.outAbs} + ${TOLERANCES.outRel}·|ref|`,
      );
  }

  async drift(t: tf.Tensor, ref: TensorRecord): Promise<void> {
    this.eval.drift = Math.max(
      this.eval.drift,
      compareOutputs('drift', await t.data(), ref.data).maxAbs,
    );
  }

  async flags(what: string, t: tf.Tensor, ref: ArrayLike<number>): Promise<void> {
    const actual = await t.data();
    const bad = mismatches(actual, ref);
    if (bad.length > 0) {
      this.failures.push(
        `${what}: differs at sequences ${bad.join(', ')} (got ${Array.from(actual)}, reference ${Array.from(ref)})`,
      );
    }
  }

  scalar(kind: 'losses' | 'metrics', what: string, value: number, ref: number): void {
    // Metric sums are counts or sums of per-sequence fractions: relative to at least 1.
    const rel = relativeError(value, ref, kind === 'metrics' ? 1 : undefined);
    this.train[kind] = Math.max(this.train[kind], rel);
    if (!(rel <= TOLERANCES.lossRel)) {
      this.failures.push(
        `${what}: ${value} vs reference ${ref} (relative error ${rel.toExponential(2)})`,
      );
    }
  }

  async grad(what: string, t: tf.Tensor, ref: TensorRecord): Promise<void> {
    const err = gradientError(what, await t.data(), ref.data);
    if (!(err <= this.train.grads)) {
      this.train.grads = err;
      this.train.worstGrad = what;
    }
    if (!(err <= TOLERANCES.gradRel))
      this.failures.push(`${what}: max |Δ| / max |ref| = ${err.toExponential(2)}`);
  }
}

/**
 * Eval mode, the same batch at every step. Step 1 runs from a fresh carry and is
 * compared in full (latents included). Later steps are compared from the
 * reference's own carry after step 1: float32 rounding differences compound
 * through the recursion (the reference's own float32 logits drift from a float64
 * evaluation about as fast), so a free-running comparison would measure that
 * noise rather than the step. The free-running drift is still reported.
 */
async function checkEval(
  c: ParityCase,
  model: ActModel,
  batch: ActBatch,
  check: Checker,
): Promise<void> {
  const source = `${c.dir}/eval.safetensors`;
  const ref = (name: string) => record(c.eval, name, source);
  const refLatent = (name: string) => toTensor(ref(name)) as tf.Tensor3D;
  const maxSteps = model.options.halting.halt_max_steps;
  // Anchored: the carry is swapped for the reference's after step 1, so this loop walks the
  // steps itself.
  let carry = model.initialCarry(batch.inputs.shape[0]);
  for (let k = 1; k <= maxSteps; k++) {
    const r = model.step(carry, batch, { train: false });
    carry = r.carry;
    await check.output('logits', `eval logits_${k}`, r.outputs.logits, ref(`logits_${k}`));
    await check.output('q', `eval q_halt_${k}`, r.outputs.qHalt, ref(`q_halt_${k}`));
    await check.output('q', `eval q_continue_${k}`, r.outputs.qContinue, ref(`q_continue_${k}`));
    await check.flags(`eval halted_${k}`, r.carry.halted, ref(`halted_${k}`).data);
    if (k === 1) {
      await check.output('latents', 'eval z_H_1', carry.zH, ref('z_H_1'));
      await check.output('latents', 'eval z_L_1', carry.zL, ref('z_L_1'));
      tf.dispose([carry.zH, carry.zL]);
      carry = { ...carry, zH: refLatent('z_H_1'), zL: refLatent('z_L_1') };
    }
    disposeStep(r);
  }
  disposeCarry(carry);
  // Free-running: evaluation as every app runs it (evaluationSteps of @rrm/act).
  for (const { step, outputs } of evaluationSteps(model, batch))
    await check.drift(outputs.logits, ref(`logits_${step}`));
}

async function checkTrain(
  c: ParityCase,
  model: ActModel,
  batch: ActBatch,
  check: Checker,
): Promise<void> {
  const source = `${c.dir}/train.safetensors`;
  const ref = (name: string) => record(c.train, name, source).data;
  const prefix = c.config.checkpoint_prefix;
  const params = model.namedParameters();
  let carry = model.initialCarry(batch.inputs.shape[0]);
  for (let k = 1; k <= c.config.train_steps; k++) {
    // Asynchronous reads, which every backend has (webgpu in Node has only those).
    const r = await model.stepWithGradsAsync(carry, batch);
    carry = r.carry;
    for (const key of LOSS_KEYS)
      check.scalar('losses', `train ${key}_${k}`, r.losses[key], ref(`${key}_${k}`)[0]);
    for (const key of METRIC_KEYS)
      check.scalar('metrics', `train ${key}_${k}`, r.metrics[key], ref(`${key}_${k}`)[0]);
    await check.flags(`train halted_${k}`, r.carry.halted, ref(`halted_${k}`));
    await check.flags(`train steps_${k}`, r.carry.steps, ref(`steps_${k}`));

    const gradFile = c.grads[k - 1];
    const gradSource = `${c.dir}/grads_${k}.safetensors`;
    const expected = new Set(gradFile.tensors.keys());
    const compare = (name: string, t: tf.Tensor) => {
      expected.delete(prefix + name);
      return check.grad(`grads_${k} ${name}`, t, record(gradFile, prefix + name, gradSource));
    };
    for (const [i, [name]] of params.entries()) await compare(name, r.grads[i]);
    if (r.puzzleEmbGrad) await compare('inner.puzzle_emb.local_weights', r.puzzleEmbGrad.grad);
    if (expected.size > 0)
      check.failures.push(`${gradSource}: no gradient computed for ${[...expected].join(', ')}`);
    disposeStep(r);
  }
  disposeCarry(carry);
}

/** Runs one loaded case on the current backend. */
export async function runParityCase(c: ParityCase): Promise<ParityReport> {
  const model = createModel(c);
  const batch = readBatch(c);
  const check = new Checker();
  try {
    await checkEval(c, model, batch, check);
    await checkTrain(c, model, batch, check);
  } finally {
    model.dispose();
    tf.dispose([batch.inputs, batch.labels, batch.puzzle_identifiers]);
  }
  return {
    case: c.name,
    model: c.config.model,
    ok: check.failures.length === 0,
    eval: check.eval,
    train: check.train,
    failures: check.failures,
    backend: tf.getBackend(),
  };
}

/** Reads and runs the case in `dir`. */
export async function checkParity(dir: string): Promise<ParityReport> {
  return runParityCase(await loadParityCase(dir));
}
