import type { Rng } from '@rrm/random';
import * as tf from '@tensorflow/tfjs-core';
import { lecunStd, truncNormal } from './init';
import type { TensorRecord } from './safetensors';

/**
 * A tree of parameters with the reference checkpoints' dotted names
 * (`L_level.layers.0.self_attn.qkv_proj.weight`). Subclasses register parameters with
 * `param` and sub-modules with `child` in their constructors.
 */
export abstract class Module {
  private readonly ownParams = new Map<string, { v: tf.Variable; trainable: boolean }>();
  private readonly children = new Map<string, Module>();

  /**
   * Registers `init` (taken over and disposed) as a variable. Non-trainable parameters are
   * persistent buffers such as `H_init`: saved under their name, never optimised.
   */
  protected param(name: string, init: tf.Tensor, opts: { trainable?: boolean } = {}): tf.Variable {
    if (this.ownParams.has(name) || this.children.has(name)) {
      throw new Error(`${this.constructor.name}: parameter name "${name}" registered twice`);
    }
    const trainable = opts.trainable ?? true;
    const v = tf.variable(init, trainable);
    init.dispose();
    this.ownParams.set(name, { v, trainable });
    return v;
  }

  /** Registers a sub-module; `name` may contain dots, e.g. `layers.0`. */
  protected child<M extends Module>(name: string, m: M): M {
    if (this.ownParams.has(name) || this.children.has(name)) {
      throw new Error(`${this.constructor.name}: child name "${name}" registered twice`);
    }
    this.children.set(name, m);
    return m;
  }

  /**
   * Every parameter and buffer under its dotted name, depth first in registration order:
   * what a checkpoint holds (PyTorch's `state_dict()`).
   */
  stateDict(prefix = ''): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    this.visit(prefix, (name, v) => out.set(name, v));
    return out;
  }

  /** The trainable parameters under their dotted names, in `parameters()` order. */
  namedParameters(prefix = ''): Array<[string, tf.Variable]> {
    const out: Array<[string, tf.Variable]> = [];
    this.visit(prefix, (name, v, trainable) => trainable && out.push([name, v]));
    return out;
  }

  /** The trainable parameters (what an optimiser updates); buffers are left out. */
  parameters(): tf.Variable[] {
    return this.namedParameters().map(([, v]) => v);
  }

  private visit(prefix: string, f: (name: string, v: tf.Variable, trainable: boolean) => void) {
    for (const [name, { v, trainable }] of this.ownParams) f(prefix + name, v, trainable);
    for (const [name, m] of this.children) m.visit(`${prefix}${name}.`, f);
  }

  /**
   * Assigns every parameter and buffer from `tensors` (names looked up as `prefix + name`).
   * Missing names and shape mismatches are errors naming `source` and the tensor; with
   * `strict`, so are entries under `prefix` that match no parameter.
   */
  loadStateDict(
    tensors: ReadonlyMap<string, TensorRecord>,
    opts: { prefix?: string; source?: string; strict?: boolean } = {},
  ): void {
    const { prefix = '', source = '<tensors>', strict = true } = opts;
    const named = this.stateDict(prefix);
    for (const [name, v] of named) {
      const rec = tensors.get(name);
      if (!rec) throw new Error(`${source}: tensor "${name}" missing`);
      if (rec.shape.length !== v.shape.length || rec.shape.some((d, i) => d !== v.shape[i])) {
        throw new Error(
          `${source}: tensor "${name}" has shape [${rec.shape.join(', ')}], expected [${v.shape.join(', ')}]`,
        );
      }
      const data = rec.data;
      if (!(data instanceof Float32Array || data instanceof Float64Array)) {
        throw new Error(
          `${source}: tensor "${name}" has dtype ${rec.dtype}, expected a float type`,
        );
      }
      tf.tidy(() => v.assign(tf.tensor(Float32Array.from(data), rec.shape, 'float32')));
    }
    if (strict) {
      const extra = [...tensors.keys()].filter((k) => k.startsWith(prefix) && !named.has(k));
      if (extra.length > 0) throw new Error(`${source}: unexpected tensors ${extra.join(', ')}`);
    }
  }

  dispose(): void {
    for (const { v } of this.ownParams.values()) v.dispose();
    for (const m of this.children.values()) m.dispose();
  }
}

/** `y = x Wᵀ + b` with W stored `[out, in]` as PyTorch does; truncated LeCun normal init. */
export class Linear extends Module {
  readonly weight: tf.Variable; // [out, in]
  readonly bias: tf.Variable | null; // [out]

  constructor(
    readonly inDim: number,
    readonly outDim: number,
    opts: { bias: boolean; rng: Rng; initStd?: number },
  ) {
    super();
    this.weight = this.param(
      'weight',
      truncNormal([outDim, inDim], opts.initStd ?? lecunStd(inDim), opts.rng),
    );
    this.bias = opts.bias ? this.param('bias', tf.zeros([outDim])) : null;
  }

  /** x [..., in] -> [..., out] */
  apply(x: tf.Tensor): tf.Tensor {
    return this.applySplit(x, 1)[0];
  }

  /**
   * `apply(x)` cut into `parts` equal chunks along the output axis, computed as one matmul
   * per block of rows of W: a row block of W is contiguous, while splitting the output's
   * last axis makes TF.js's cpu backend copy it element by element (slower than the matmul).
   * x [..., in] -> parts × [..., out / parts]
   */
  applySplit(x: tf.Tensor, parts: number): tf.Tensor[] {
    const size = this.outDim / parts;
    if (!Number.isInteger(size))
      throw new Error(`Linear: ${this.outDim} outputs do not split into ${parts}`);
    return tf.tidy(() => {
      const lead = x.shape.slice(0, -1);
      const x2 = tf.reshape(x, [-1, this.inDim]);
      return Array.from({ length: parts }, (_, p) => {
        const w =
          parts === 1 ? this.weight : tf.slice(this.weight, [p * size, 0], [size, this.inDim]);
        let y = tf.matMul(x2, w, false, true);
        if (this.bias)
          y = tf.add(y, parts === 1 ? this.bias : tf.slice(this.bias, [p * size], [size]));
        return tf.reshape(y, [...lead, size]);
      });
    });
  }
}

/**
 * Tables up to this many rows are looked up as `oneHot(ids) · W`: TF.js's cpu gather is
 * slow per element and its gradient (unsortedSegmentSum) costs a full pass over the
 * gradient per row, about 60× slower than the matmul for a 12-token vocabulary.
 */
const ONE_HOT_MAX_ROWS = 256;

/** A lookup table `embedding_weight [num, dim]`, truncated-normal init with the given std. */
export class Embedding extends Module {
  readonly weight: tf.Variable; // [num, dim]

  constructor(num: number, dim: number, opts: { initStd: number; rng: Rng }) {
    super();
    this.weight = this.param('embedding_weight', truncNormal([num, dim], opts.initStd, opts.rng));
  }

  /** ids int32 [...] -> [..., dim]; for small tables an id outside [0, num) gives zeros. */
  apply(ids: tf.Tensor): tf.Tensor {
    const [num, dim] = this.weight.shape;
    if (num > ONE_HOT_MAX_ROWS) return tf.gather(this.weight, ids);
    return tf.tidy(() => {
      const rows = tf.matMul(tf.oneHot(tf.reshape(ids, [-1]), num), this.weight); // [N, dim]
      return tf.reshape(rows, [...ids.shape, dim]);
    });
  }
}
