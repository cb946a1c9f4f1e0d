import * as tf from '@tensorflow/tfjs-core';
import type { WritableTensor } from './safetensors';
import { fromTensor } from './tensors';

/**
 * Optimiser or EMA state for exact resume: a step count and named float32 tensors
 * (`exp_avg.3`, `shadow.0`, ...) that a checkpoint can store as safetensors.
 */
export interface OptimizerState {
  step: number;
  tensors: Record<string, WritableTensor>;
}

/** A fresh untrainable variable; the temporary `make` creates is disposed. */
const slot = (make: () => tf.Tensor): tf.Variable => tf.tidy(() => tf.variable(make(), false));

async function snapshot(
  vars: tf.Variable[],
  name: string,
  into: Record<string, WritableTensor>,
): Promise<void> {
  const records = await Promise.all(vars.map(fromTensor));
  records.forEach((r, i) => {
    into[`${name}.${i}`] = r;
  });
}

function restore(
  state: OptimizerState,
  name: string,
  shapes: number[][],
  owner: string,
): tf.Variable[] {
  return shapes.map((shape, i) => {
    const key = `${name}.${i}`;
    const t = state.tensors[key];
    if (!t) throw new Error(`${owner}.loadState: tensor "${key}" missing`);
    if (t.shape.length !== shape.length || t.shape.some((d, j) => d !== shape[j])) {
      throw new Error(
        `${owner}.loadState: tensor "${key}" has shape [${t.shape}], parameter ${i} is [${shape}]`,
      );
    }
    return slot(() => tf.tensor(Float32Array.from(t.data), shape, 'float32'));
  });
}

function checkGrads(owner: string, params: tf.Variable[], grads: tf.Tensor[]): void {
  if (params.length !== grads.length) {
    throw new Error(`${owner}.step: ${params.length} parameters but ${grads.length} gradients`);
  }
  params.forEach((p, i) => {
    if (!grads[i]) {
      // tf.variableGrads leaves out variables the loss does not depend on.
      throw new Error(`${owner}.step: no gradient for parameter ${i} ("${p.name}", [${p.shape}])`);
    }
    if (!tf.util.arraysEqual(p.shape, grads[i].shape)) {
      throw new Error(
        `${owner}.step: gradient ${i} has shape [${grads[i].shape}], parameter is [${p.shape}]`,
      );
    }
  });
}

/** PyTorch's `lerp_(end, w)`, whose formula depends on which side of 0.5 the weight is. */
function lerp(a: tf.Tensor, b: tf.Tensor, w: number): tf.Tensor {
  return w < 0.5 ? tf.add(a, tf.mul(tf.sub(b, a), w)) : tf.sub(b, tf.mul(tf.sub(b, a), 1 - w));
}

export interface AdamOptions {
  lr: number;
  beta1?: number; // default 0.9
  beta2?: number; // default 0.95, as in the HRM/TRM training configs
  weightDecay?: number; // decoupled, default 0
}

/**
 * Adam with decoupled weight decay, in PyTorch's order: `p ← p·(1−lr·wd)`, update the
 * moments, then subtract `lr / (1−β1ᵗ) · direction(m, √v / √(1−β2ᵗ))`. The two concrete
 * optimisers differ only in `direction`. Moments are created on the first step, one per
 * parameter in the order given; `lr` may be changed between steps.
 */
abstract class DecoupledAdam {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly weightDecay: number;
  private t = 0;
  private m: tf.Variable[] = [];
  private v: tf.Variable[] = [];

  constructor(opts: AdamOptions) {
    this.lr = opts.lr;
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.95;
    this.weightDecay = opts.weightDecay ?? 0;
    for (const [k, v] of Object.entries({
      lr: this.lr,
      beta1: this.beta1,
      beta2: this.beta2,
      weightDecay: this.weightDecay,
    })) {
      if (!Number.isFinite(v) || v < 0)
        throw new Error(`${this.constructor.name}: ${k} must be a finite number >= 0, got ${v}`);
    }
  }

  /** m̂-scaled update direction given m and √v̂ = √v / √(1−β2ᵗ). */
  protected abstract direction(m: tf.Tensor, vHatSqrt: tf.Tensor): tf.Tensor;

  get stepCount(): number {
    return this.t;
  }

  step(params: tf.Variable[], grads: tf.Tensor[]): void {
    const name = this.constructor.name;
    checkGrads(name, params, grads);
    if (this.m.length === 0) {
      this.m = params.map((p) => slot(() => tf.zerosLike(p)));
      this.v = params.map((p) => slot(() => tf.zerosLike(p)));
    } else if (
      this.m.length !== params.length ||
      params.some((p, i) => !tf.util.arraysEqual(p.shape, this.m[i].shape))
    ) {
      throw new Error(`${name}.step: parameter list changed (state has ${this.m.length} tensors)`);
    }
    this.t += 1;
    const stepSize = this.lr / (1 - this.beta1 ** this.t);
    const bc2Sqrt = Math.sqrt(1 - this.beta2 ** this.t);
    const decay = 1 - this.lr * this.weightDecay;
    params.forEach((p, i) => {
      tf.tidy(() => {
        const g = grads[i];
        const m = lerp(this.m[i], g, 1 - this.beta1);
        const v = tf.add(tf.mul(this.v[i], this.beta2), tf.mul(tf.mul(g, 1 - this.beta2), g));
        this.m[i].assign(m);
        this.v[i].assign(v);
        const dir = this.direction(m, tf.div(tf.sqrt(v), bc2Sqrt));
        p.assign(tf.sub(tf.mul(p, decay), tf.mul(dir, stepSize)));
      });
    });
  }

  async getState(): Promise<OptimizerState> {
    const step = this.t;
    const tensors: Record<string, WritableTensor> = {};
    await snapshot(this.m, 'exp_avg', tensors);
    await snapshot(this.v, 'exp_avg_sq', tensors);
    return { step, tensors };
  }

  /** Restores moments for `params` (used only for their shapes) and the step count. */
  loadState(state: OptimizerState, params: tf.Variable[]): void {
    const shapes = params.map((p) => p.shape);
    const m = restore(state, 'exp_avg', shapes, this.constructor.name);
    const v = restore(state, 'exp_avg_sq', shapes, this.constructor.name);
    this.dispose();
    this.m = m;
    this.v = v;
    this.t = state.step;
  }

  dispose(): void {
    for (const x of [...this.m, ...this.v]) x.dispose();
    this.m = [];
    this.v = [];
  }
}

/** Adam-atan2 (the HRM/TRM optimiser): direction atan2(m, √v̂), no epsilon needed. */
export class AdamATan2 extends DecoupledAdam {
  protected direction(m: tf.Tensor, vHatSqrt: tf.Tensor): tf.Tensor {
    return tf.atan2(m, vHatSqrt);
  }
}

/** AdamW as PyTorch implements it: direction m / (√v̂ + eps). */
export class AdamW extends DecoupledAdam {
  readonly eps: number;

  constructor(opts: AdamOptions & { eps?: number }) {
    super(opts);
    this.eps = opts.eps ?? 1e-8;
  }

  protected direction(m: tf.Tensor, vHatSqrt: tf.Tensor): tf.Tensor {
    return tf.div(m, tf.add(vHatSqrt, this.eps));
  }
}

/**
 * The puzzle-embedding optimiser: sign SGD on the rows a batch touched. Gradients of
 * duplicate ids are summed first, then each touched row gets
 * `w ← w·(1−lr·wd) − lr·sign(g)`; other rows are left alone (no decay either).
 */
export class SignSGDSparse {
  /**
   * table [N, D]; ids [B] int32; localGrad [B, D], the gradient with respect to the rows
   * the forward pass looked up for each example. Async: the ids and gradients are read
   * to the host, which GPU backends do only asynchronously.
   */
  async step(
    table: tf.Variable,
    ids: Int32Array | tf.Tensor,
    localGrad: tf.Tensor,
    lr: number,
    weightDecay: number,
  ): Promise<void> {
    const idList = ids instanceof tf.Tensor ? ((await ids.data()) as Int32Array) : ids;
    const [n, d] = table.shape;
    if (
      localGrad.shape.length !== 2 ||
      localGrad.shape[0] !== idList.length ||
      localGrad.shape[1] !== d
    ) {
      throw new Error(
        `SignSGDSparse.step: localGrad [${localGrad.shape}] must be [${idList.length}, ${d}]`,
      );
    }
    // Sum the gradients of duplicate ids on the host: B·D work, where TF.js's cpu
    // unsortedSegmentSum costs B·D per distinct id. float32 accumulation in batch order,
    // as PyTorch's scatter_add_ does it.
    const grad = await localGrad.data();
    const rowOf = new Map<number, number>();
    const summed = new Float32Array(idList.length * d);
    idList.forEach((id, i) => {
      if (!Number.isInteger(id) || id < 0 || id >= n) {
        throw new Error(
          `SignSGDSparse.step: id ${id} at position ${i} is outside the table's ${n} rows`,
        );
      }
      if (!rowOf.has(id)) rowOf.set(id, rowOf.size);
      const r = rowOf.get(id)! * d;
      for (let k = 0; k < d; k++) summed[r + k] += grad[i * d + k];
    });
    const unique = Int32Array.from(rowOf.keys());
    tf.tidy(() => {
      const g = tf.tensor2d(summed.subarray(0, unique.length * d), [unique.length, d]);
      const rows = tf.gather(table, tf.tensor1d(unique, 'int32'));
      const updated = tf.sub(tf.mul(rows, 1 - lr * weightDecay), tf.mul(tf.sign(g), lr));
      // TF.js's cpu TensorScatterUpdate writes into its input's buffer, which clones of the
      // table share; scatter into a real copy so no other tensor changes.
      const copy = tf.mul(table, 1);
      const at = tf.tensor2d(unique, [unique.length, 1], 'int32');
      table.assign(tf.tensorScatterUpdate(copy, at, updated));
    });
  }
}

/**
 * Exponential moving average of weights, `shadow ← (1−rate)·p + rate·shadow`, starting
 * from a copy of the weights. `swapIn` puts the averages into the live variables (for
 * evaluation) and `swapOut` puts the trained weights back.
 */
export class EMA {
  private shadow: tf.Variable[];
  private swapped = false;

  constructor(
    private readonly params: tf.Variable[],
    readonly rate = 0.999,
  ) {
    if (!(rate >= 0 && rate <= 1)) throw new Error(`EMA: rate must be in [0, 1], got ${rate}`);
    this.shadow = params.map((p) => slot(() => p.clone()));
  }

  update(): void {
    if (this.swapped) throw new Error('EMA.update: averages are swapped in; call swapOut first');
    tf.tidy(() => {
      this.params.forEach((p, i) => {
        this.shadow[i].assign(tf.add(tf.mul(p, 1 - this.rate), tf.mul(this.shadow[i], this.rate)));
      });
    });
  }

  private exchange(): void {
    tf.tidy(() => {
      this.params.forEach((p, i) => {
        const live = p.clone();
        p.assign(this.shadow[i]);
        this.shadow[i].assign(live);
      });
    });
    this.swapped = !this.swapped;
  }

  swapIn(): void {
    if (this.swapped) throw new Error('EMA.swapIn: already swapped in');
    this.exchange();
  }

  swapOut(): void {
    if (!this.swapped) throw new Error('EMA.swapOut: not swapped in');
    this.exchange();
  }

  /** Runs `fn` with the averaged weights in place, restoring the trained ones afterwards. */
  async apply<T>(fn: () => T | Promise<T>): Promise<T> {
    this.swapIn();
    try {
      return await fn();
    } finally {
      this.swapOut();
    }
  }

  async getState(): Promise<OptimizerState> {
    if (this.swapped) throw new Error('EMA.getState: averages are swapped in; call swapOut first');
    const tensors: Record<string, WritableTensor> = {};
    await snapshot(this.shadow, 'shadow', tensors);
    return { step: 0, tensors };
  }

  loadState(state: OptimizerState): void {
    const shadow = restore(
      state,
      'shadow',
      this.params.map((p) => p.shape),
      'EMA',
    );
    this.dispose();
    this.shadow = shadow;
  }

  dispose(): void {
    for (const s of this.shadow) s.dispose();
    this.shadow = [];
  }
}

export interface CosineScheduleOptions {
  baseLr: number;
  warmupSteps: number;
  totalSteps: number;
  minRatio?: number; // floor as a fraction of baseLr, default 0
}

/** Linear warm-up from 0, then a half cosine from baseLr down to baseLr·minRatio. */
export function cosineSchedule(opts: CosineScheduleOptions): (step: number) => number {
  const { baseLr, warmupSteps, totalSteps, minRatio = 0 } = opts;
  if (!(warmupSteps >= 0 && totalSteps >= 0 && minRatio >= 0 && minRatio <= 1)) {
    throw new Error(`cosineSchedule: invalid options ${JSON.stringify(opts)}`);
  }
  return (step) => {
    if (step < warmupSteps) return (baseLr * step) / Math.max(1, warmupSteps);
    const progress = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
    return (
      baseLr * (minRatio + Math.max(0, (1 - minRatio) * 0.5 * (1 + Math.cos(Math.PI * progress))))
    );
  };
}
