import { type ActBatch, type ActCarry, disposeCarry, disposeStep } from '@rrm/act';
import { createModel } from '@rrm/checkpoint';
import { AdamATan2 } from '@rrm/layers';
import { peakRssMb } from '@rrm/progress';
import { Rng } from '@rrm/random';
import * as tf from '@tensorflow/tfjs-core';
import type { BenchOptions } from './args';
import { stepFlops } from './flops';

export interface BenchResult {
  backend: string;
  config: Record<string, unknown>;
  ms_per_step: number;
  /**
   * Median process CPU time (all threads) per step: on a shared machine the
   * wall time includes waiting for a core, this does not.
   */
  cpu_ms_per_step: number;
  steps: number;
  /** Matmul GFLOP of one step, counted from the config (`stepFlops`). */
  gflop_per_step: number;
  /** gflop_per_step over the median step time. */
  gflop_s: number;
  peak_rss_mb: number;
  tensors_leaked: number;
  /** Every timed step, in order. */
  step_ms: number[];
}

/** One kernel's share of a profiled step. */
export interface KernelTime {
  kernel: string;
  calls: number;
  ms: number;
}

// Sudoku-sized vocabulary (pad + digits), one puzzle, no puzzle embedding: the
// sequence the model sees is exactly --seq tokens.
export const VOCAB = 11;
const SEED = 0;

/** The model config (reference keys) a run of `o` builds. */
export function benchConfig(o: BenchOptions): Record<string, unknown> {
  return {
    batch_size: o.batch,
    seq_len: o.seq,
    vocab_size: VOCAB,
    num_puzzle_identifiers: 1,
    puzzle_emb_ndim: 0,
    hidden_size: o.hidden,
    num_heads: o.heads,
    expansion: 4,
    L_layers: o.layers,
    H_layers: o.model === 'hrm' ? o.hLayers : 0,
    H_cycles: o.hCycles,
    L_cycles: o.lCycles,
    pos_encodings: o.mlpT ? 'none' : 'rope',
    halt_max_steps: 16,
    halt_exploration_prob: 0.1,
    forward_dtype: 'float32',
    ...(o.model === 'trm' ? { mlp_t: o.mlpT } : {}),
  };
}

function randomBatch(o: BenchOptions, rng: Rng): ActBatch {
  const tokens = () =>
    tf.tensor2d(
      Int32Array.from({ length: o.batch * o.seq }, () => 1 + rng.int(VOCAB - 1)),
      [o.batch, o.seq],
      'int32',
    );
  return {
    inputs: tokens(),
    labels: tokens(),
    puzzle_identifiers: tf.zeros([o.batch], 'int32'),
  };
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Total time per kernel over one call of `f`, largest first. */
async function profileKernels(f: () => Promise<void>): Promise<KernelTime[]> {
  const info = await tf.profile(f);
  const byName = new Map<string, KernelTime>();
  for (const k of info.kernels) {
    const row = byName.get(k.name) ?? { kernel: k.name, calls: 0, ms: 0 };
    row.calls += 1;
    row.ms += Number(await k.kernelTimeMs);
    byName.set(k.name, row);
  }
  return [...byName.values()].map((r) => ({ ...r, ms: round1(r.ms) })).sort((a, b) => b.ms - a.ms);
}

/**
 * Times `o.steps` supervision steps (training: forward, backward through the
 * last cycle, AdamATan2 update; eval: forward only) after one warm-up step, on
 * the active TF.js backend. With `o.profile`, one further step runs under
 * `tf.profile` and `profile` lists its time per kernel.
 */
export async function runBench(o: BenchOptions): Promise<BenchResult & { profile?: KernelTime[] }> {
  const config = benchConfig(o);
  const model = createModel(o.model, config, { seed: SEED });
  const optimizer = new AdamATan2({ lr: 1e-4, weightDecay: 0.1 });
  const batch = randomBatch(o, new Rng(SEED));
  let carry: ActCarry = model.initialCarry(o.batch);

  // Each step ends on a read of its results, asynchronous so that it also runs on webgpu
  // in Node; on a GPU that read is what waits for the queued kernels, so the step's
  // time is the GPU's (the optimiser's update, queued after, lands in the next step).
  const step = async () => {
    if (o.mode === 'train') {
      const r = await model.stepWithGradsAsync(carry, batch);
      optimizer.step(model.parameters(), r.grads);
      carry = r.carry;
      disposeStep(r);
    } else {
      const r = model.step(carry, batch, { train: false });
      carry = r.carry;
      await carry.halted.data();
      disposeStep(r);
    }
  };

  await step(); // warm-up: creates the optimiser moments, fills caches
  const tensorsBefore = tf.memory().numTensors;
  const stepMs: number[] = [];
  const cpuMs: number[] = [];
  for (let i = 0; i < o.steps; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await step();
    const c = process.cpuUsage(c0);
    stepMs.push(performance.now() - t0);
    cpuMs.push((c.user + c.system) / 1000);
  }
  const leaked = tf.memory().numTensors - tensorsBefore;
  const profile = o.profile ? await profileKernels(step) : undefined;

  disposeCarry(carry);
  tf.dispose([batch.inputs, batch.labels, batch.puzzle_identifiers]);
  optimizer.dispose();
  model.dispose();

  return {
    backend: tf.getBackend(),
    config: { model: o.model, mode: o.mode, ...config },
    ms_per_step: round1(median(stepMs)),
    gflop_per_step: round1(stepFlops(o) / 1e9),
    gflop_s: round1(stepFlops(o) / 1e6 / median(stepMs)),
    cpu_ms_per_step: round1(median(cpuMs)),
    steps: o.steps,
    peak_rss_mb: Math.round(peakRssMb()),
    tensors_leaked: leaked,
    step_ms: stepMs.map(round1),
    ...(profile ? { profile } : {}),
  };
}
