import * as tf from '@tensorflow/tfjs-core';

/**
 * The gradient tape, made explicit: PyTorch's `torch.no_grad()`, `.detach()` and JAX's
 * `value_and_grad(has_aux=True)` on TF.js.
 *
 * TF.js records every op run inside `tf.grads` / `tf.variableGrads` unless it runs inside a
 * kernel (the engine stops recording while a kernel runs). A custom-gradient op with no
 * inputs is such a kernel, and having no inputs it is on no path from a variable to the
 * loss: what it computes is a constant to the tape around it.
 */

/** Plain records (nested), arrays and tensors: what the helpers below carry through. */
export type Tensors = tf.Tensor | readonly Tensors[] | { readonly [key: string]: Tensors };

function collect(t: Tensors, out: tf.Tensor[]): tf.Tensor[] {
  if (t instanceof tf.Tensor) out.push(t);
  else if (Array.isArray(t)) for (const v of t) collect(v, out);
  else for (const v of Object.values(t)) collect(v as Tensors, out);
  return out;
}

/** `t` with its tensors replaced, in `collect` order, by `next()`. */
function rebuild<T extends Tensors>(t: T, next: () => tf.Tensor): T {
  if (t instanceof tf.Tensor) return next() as T;
  if (Array.isArray(t)) return t.map((v) => rebuild(v, next)) as unknown as T;
  const out: Record<string, Tensors> = {};
  for (const [k, v] of Object.entries(t)) out[k] = rebuild(v as Tensors, next);
  return out as T;
}

/**
 * Copies (`tf.clone` shares the data) of `kept` tensors that belong to the current scope as
 * any new tensor does, so an enclosing `tf.tidy` frees them; the kept originals are freed.
 */
function release(kept: tf.Tensor[]): tf.Tensor[] {
  const owned = kept.map((t) => tf.clone(t));
  tf.dispose(kept);
  return owned;
}

/**
 * Runs `f` with the gradient tape paused (`with torch.no_grad():`): its results are
 * constants to any gradient being recorded around the call, and ops without a gradient
 * (argMax, comparisons) may feed them. `f` returns one tensor or a record of them.
 */
export function noGrad<T extends Tensors>(f: () => T): T {
  let shape: T | undefined;
  let kept: tf.Tensor[] = [];
  const run = tf.customGrad(() => {
    const out = f();
    shape = out;
    // Fresh copies, so results that are `f`'s inputs stay the caller's; all but the op's
    // value are kept past the kernel's own scope.
    const copies = collect(out, []).map((t) => tf.clone(t));
    kept = copies.slice(1).map((t) => tf.keep(t));
    return { value: copies[0], gradFunc: () => [] };
  });
  const all = [run(), ...release(kept)];
  let i = 0;
  return rebuild(shape as T, () => all[i++]);
}

/** `t.detach()`: the same values, cut from the tape (no gradient flows back through it). */
export function detach<T extends Tensors>(t: T): T {
  return noGrad(() => t);
}

/**
 * The gradient of `f().value` with respect to `xs` (variables, or any tensors made before
 * the call), and `f().aux`: tensors `f` also computed, returned rather than freed (JAX's
 * `value_and_grad(has_aux=True)`). Gradients are aligned with `xs`; the caller owns all.
 */
export function valueAndGradsWithAux<A extends Tensors>(
  f: () => { value: tf.Scalar; aux: A },
  xs: tf.Tensor[],
): { value: tf.Scalar; aux: A; grads: tf.Tensor[] } {
  let shape: A | undefined;
  let kept: tf.Tensor[] = [];
  const { value, grads } = tf.valueAndGrads(() => {
    const out = f();
    shape = out.aux;
    kept = collect(out.aux, []).map((t) => tf.keep(tf.clone(t)));
    return out.value;
  })(xs);
  const owned = release(kept);
  let i = 0;
  return { value, aux: rebuild(shape as A, () => owned[i++]), grads };
}
