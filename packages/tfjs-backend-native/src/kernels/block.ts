import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend, NativeKernel } from '../backend.js';
import { ATTENTION_BLOCK, ATTENTION_BLOCK_GRAD, MLP_BLOCK, MLP_BLOCK_GRAD } from '../contract.js';
import { sizeOf } from '../layout.js';
import { floats } from './fused.js';

// Whole reasoning blocks (native/block.cc): each forward returns y and, with attr `train`,
// the activations its gradient kernel reads; each gradient returns dh and the weights'.

const MLP_INPUTS = ['h', 'tokenGateUp', 'tokenDown', 'gateUp', 'down'];
const MLP_ACTIVATIONS = ['tokenProj', 'tokenSum', 'proj', 'sum'];
const ATTENTION_INPUTS = ['h', 'qkvProj', 'oProj', 'cos', 'sin', 'gateUp', 'down'];
const ATTENTION_ACTIVATIONS = ['qkv', 'heads', 'attnSum', 'proj', 'sum'];
/** Which of the attention block's inputs get a gradient: all but the RoPE tables. */
const ATTENTION_TRAINED = ['h', 'qkvProj', 'oProj', 'gateUp', 'down'];

const sameShape = (a: number[], b: number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/** `names` of `inputs`, each present; an error naming the kernel otherwise. */
function present(kernel: string, inputs: Partial<Record<string, TensorInfo>>, names: string[]) {
  if (names.some((k) => inputs[k] === undefined)) {
    throw new Error(`${kernel}: inputs ${names.join(', ')} are required`);
  }
  return names.map((k) => inputs[k] as TensorInfo);
}

/** The error for a block whose inputs do not fit together. */
function misfit(kernel: string, expected: string, got: TensorInfo[]): Error {
  return new Error(`${kernel}: ${expected}, got ${got.map((t) => `[${t.shape}]`).join(', ')}`);
}

/** [B, S, D, m, n] of an MLP block call: h [B, S, D], weights [2m, S], [S, m], [2n, D], [D, n]. */
function mlpDims(kernel: string, inputs: Partial<Record<string, TensorInfo>>): number[] {
  const all = present(kernel, inputs, MLP_INPUTS);
  const [h, tokenGateUp, tokenDown, gateUp, down] = all;
  const [B, S, D] = h.shape;
  const m = tokenGateUp.shape[0] / 2;
  const n = gateUp.shape[0] / 2;
  const fits =
    h.shape.length === 3 &&
    Number.isInteger(m) &&
    Number.isInteger(n) &&
    sameShape(tokenGateUp.shape, [2 * m, S]) &&
    sameShape(tokenDown.shape, [S, m]) &&
    sameShape(gateUp.shape, [2 * n, D]) &&
    sameShape(down.shape, [D, n]);
  if (!fits) {
    throw misfit(
      kernel,
      'h must be [B, S, D] and the weights [2m, S], [S, m], [2n, D], [D, n]',
      all,
    );
  }
  return [B, S, D, m, n];
}

const mlpActivationShapes = ([B, S, D, m, n]: number[]) => [
  [B, 2 * m, D],
  [B, S, D],
  [B, S, 2 * n],
  [B, S, D],
];

/**
 * [B, S, D, H, hd, n] of an attention block call: h [B, S, D], qkvProj [3·H·hd, D], oProj
 * [D, H·hd], cos and sin [≥S, hd] or empty, gateUp [2n, D], down [D, n].
 */
function attentionDims(
  kernel: string,
  inputs: Partial<Record<string, TensorInfo>>,
  numHeads: unknown,
): number[] {
  const all = present(kernel, inputs, ATTENTION_INPUTS);
  const [h, qkvProj, oProj, cos, sin, gateUp, down] = all;
  const H = numHeads as number;
  const [B, S, D] = h.shape;
  const hd = qkvProj.shape[0] / (3 * H);
  const n = gateUp.shape[0] / 2;
  const table = (t: TensorInfo) =>
    sizeOf(t.shape) === 0 || (t.shape.length === 2 && t.shape[0] >= S && t.shape[1] === hd);
  const fits =
    h.shape.length === 3 &&
    Number.isInteger(H) &&
    H >= 1 &&
    Number.isInteger(hd) &&
    Number.isInteger(n) &&
    sameShape(qkvProj.shape, [3 * H * hd, D]) &&
    sameShape(oProj.shape, [D, H * hd]) &&
    sameShape(gateUp.shape, [2 * n, D]) &&
    sameShape(down.shape, [D, n]) &&
    table(cos) &&
    table(sin);
  if (!fits) {
    const expected = `h must be [B, S, D] and qkvProj [3·numHeads·hd, D], oProj [D, numHeads·hd], cos and sin [≥S, hd] or empty, gateUp [2n, D], down [D, n] with numHeads ${H}`;
    throw misfit(kernel, expected, all);
  }
  return [B, S, D, H, hd, n];
}

const attentionActivationShapes = ([B, S, D, H, hd, n]: number[]) => [
  [B, S, 3 * H * hd],
  [B, S, H * hd],
  [B, S, D],
  [B, S, 2 * n],
  [B, S, D],
];

/**
 * A forward's outputs: y shaped like h and, with `train`, the activations of `shapes`,
 * filled by `run(y, activations)` (not called for an empty batch).
 */
function forwardOutputs(
  backend: NativeBackend,
  h: TensorInfo,
  train: boolean,
  shapes: number[][],
  run: (y: Float32Array, activations: Float32Array[]) => void,
): TensorInfo | TensorInfo[] {
  const y = backend.allocate('float32', sizeOf(h.shape)) as Float32Array;
  const acts = train
    ? shapes.map((s) => backend.allocate('float32', sizeOf(s)) as Float32Array)
    : [];
  if (y.length > 0) run(y, acts);
  const out = backend.output(h.shape, 'float32', y);
  return train ? [out, ...acts.map((a, i) => backend.output(shapes[i], 'float32', a))] : out;
}

/**
 * A gradient's inputs dy and the activations, checked against their shapes, and its
 * outputs: one gradient shaped like each of `targets`, filled by `run`.
 */
function backward(
  backend: NativeBackend,
  kernel: string,
  inputs: Partial<Record<string, TensorInfo>>,
  activations: string[],
  shapes: number[][],
  targets: TensorInfo[],
  run: (saved: Float32Array[], grads: Float32Array[]) => void,
): TensorInfo[] {
  const names = ['dy', ...activations];
  const saved = names.map((name, i) => {
    const t = inputs[name];
    if (t === undefined || !sameShape(t.shape, shapes[i])) {
      throw new Error(
        `${kernel}: ${name} must be [${shapes[i]}], got ${t ? `[${t.shape}]` : 'nothing'}`,
      );
    }
    return t;
  });
  const grads = targets.map((t) => backend.allocate('float32', sizeOf(t.shape)) as Float32Array);
  run(floats(backend, kernel, saved), grads);
  return grads.map((g, i) => backend.output(targets[i].shape, 'float32', g));
}

const mlpBlock: NativeKernel = ({ inputs, backend, attrs }) => {
  const dims = mlpDims(MLP_BLOCK, inputs);
  const ins = floats(backend, MLP_BLOCK, present(MLP_BLOCK, inputs, MLP_INPUTS));
  const shapes = mlpActivationShapes(dims);
  return forwardOutputs(backend, inputs.h as TensorInfo, !!attrs.train, shapes, (y, acts) =>
    backend.native.mlpBlock(...ins, y, ...dims, attrs.eps as number, ...acts),
  );
};

const mlpBlockGrad: NativeKernel = ({ inputs, backend, attrs }) => {
  const dims = mlpDims(MLP_BLOCK_GRAD, inputs);
  const sources = present(MLP_BLOCK_GRAD, inputs, MLP_INPUTS);
  const ins = floats(backend, MLP_BLOCK_GRAD, sources);
  const shapes = [sources[0].shape, ...mlpActivationShapes(dims)];
  return backward(
    backend,
    MLP_BLOCK_GRAD,
    inputs,
    MLP_ACTIVATIONS,
    shapes,
    sources,
    (saved, grads) =>
      backend.native.mlpBlockGrad(...ins, ...saved, ...dims, attrs.eps as number, ...grads),
  );
};

const attentionBlock: NativeKernel = ({ inputs, backend, attrs }) => {
  const dims = attentionDims(ATTENTION_BLOCK, inputs, attrs.numHeads);
  const ins = floats(backend, ATTENTION_BLOCK, present(ATTENTION_BLOCK, inputs, ATTENTION_INPUTS));
  const shapes = attentionActivationShapes(dims);
  return forwardOutputs(backend, inputs.h as TensorInfo, !!attrs.train, shapes, (y, acts) =>
    backend.native.attentionBlock(...ins, y, ...dims, attrs.eps as number, ...acts),
  );
};

const attentionBlockGrad: NativeKernel = ({ inputs, backend, attrs }) => {
  const kernel = ATTENTION_BLOCK_GRAD;
  const dims = attentionDims(kernel, inputs, attrs.numHeads);
  const ins = floats(backend, kernel, present(kernel, inputs, ATTENTION_INPUTS));
  const targets = present(kernel, inputs, ATTENTION_TRAINED);
  const shapes = [targets[0].shape, ...attentionActivationShapes(dims)];
  return backward(backend, kernel, inputs, ATTENTION_ACTIVATIONS, shapes, targets, (saved, grads) =>
    backend.native.attentionBlockGrad(...ins, ...saved, ...dims, attrs.eps as number, ...grads),
  );
};

export const blockKernels: Record<string, NativeKernel> = {
  [MLP_BLOCK]: mlpBlock,
  [MLP_BLOCK_GRAD]: mlpBlockGrad,
  [ATTENTION_BLOCK]: attentionBlock,
  [ATTENTION_BLOCK_GRAD]: attentionBlockGrad,
};
