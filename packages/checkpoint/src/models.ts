/**
 * HRM or TRM by name: the one place the two are told apart, for every app that builds a
 * model from a config (the trainer, rrm-eval, the bench, the parity runner, the demo).
 */
import type { ActModel, CreateOptions } from '@rrm/act';
import { createHRM } from '@rrm/hrm';
import type { TensorRecord } from '@rrm/layers';
import { createTRM } from '@rrm/trm';
import type { ModelKind } from './reference-config';
import { type LoadOptions, loadWeights } from './weights';

/** A freshly initialised model of `kind`; a bad `arch` throws naming the field. */
export function createModel(kind: ModelKind, arch: unknown, opts: CreateOptions): ActModel {
  return kind === 'trm' ? createTRM(arch, opts) : createHRM(arch, opts);
}

/** A model of `kind` holding `tensors` (reference names, any prefix); disposed if they do not fit. */
export function modelFromWeights(
  kind: ModelKind,
  arch: unknown,
  tensors: Map<string, TensorRecord>,
  opts: CreateOptions & LoadOptions,
): ActModel {
  const model = createModel(kind, arch, opts);
  try {
    loadWeights(model, tensors, opts);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}
