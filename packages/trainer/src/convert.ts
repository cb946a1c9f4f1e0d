/**
 * Checkpoints from one trainer for the other: an rrm checkpoint folder from any checkpoint,
 * or a reference run folder (`step_N` + `all_config.yaml`) that the reference `pretrain.py`
 * continues with `load_checkpoint=…/step_N`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointTensors, saveCheckpoint } from '@rrm/checkpoint';
import { writeReferenceRun } from '@rrm/checkpoint/node';
import type { PuzzleDatasetMetadata } from '@rrm/puzzles';
import { atomicWriteFile } from './checkpoint-files.js';
import { configJson } from './config.js';
import { type Checkpoint, CONFIG_FILE, MODEL_FILE, modelFromCheckpoint } from './model.js';
import { toReferenceConfig } from './reference.js';

export type ConvertTarget = 'torch' | 'rrm';

export interface ConvertResult {
  /** The files written. */
  files: string[];
  /** What the output holds. */
  carried: string[];
  /** What the source had that the output cannot hold. */
  notCarried: string[];
}

/** Parts of an rrm run that no single-weights checkpoint carries, whichever way it goes. */
const TRAINING_STATE = [
  'optimiser moments and step (the target trainer starts its optimiser afresh)',
  'sampler position and exploration RNG',
  'the ACT carry of the batch in flight',
];

/**
 * Writes `ckpt` as `to` into `outDir`. The weights go through the model (built from the
 * checkpoint's config, dataset keys from the weights or `dataset`), so names and shapes
 * are exactly those the target loads strictly.
 */
export function convertCheckpoint(
  ckpt: Checkpoint,
  to: ConvertTarget,
  outDir: string,
  dataset?: PuzzleDatasetMetadata,
): ConvertResult {
  const { model, config } = modelFromCheckpoint(ckpt, dataset);
  try {
    mkdirSync(outDir, { recursive: true });
    const hasTable = model.inner.puzzle_emb !== null;
    const carried = [
      `${model.stateDict().size} tensors: weights as evaluation uses them (the EMA weights when the run kept an EMA)` +
        `${hasTable ? ', the puzzle-embedding table' : ''}, the H_init/L_init buffers`,
    ];
    const notCarried = ckpt.format === 'rrm' ? [...TRAINING_STATE] : [];
    if (ckpt.format === 'rrm' && config.ema) notCarried.push('the raw (non-EMA) weights');
    if (to === 'torch') {
      const { config: ref, notCarried: keys } = toReferenceConfig(config);
      const written = writeReferenceRun(outDir, ckpt.step ?? 0, checkpointTensors(model), ref, {
        // The reference's struct config only takes command-line overrides of keys it has.
        load_checkpoint: null,
        checkpoint_path: null,
      });
      carried.push(
        `the ${config.model.toUpperCase()} architecture and the shared hyper-parameters, in all_config.yaml`,
      );
      notCarried.push(
        ...keys,
        'rrm-only keys: build_data, eval_batch_size, checkpoint_every, keep_checkpoints',
      );
      return { files: [written.weights, written.config], carried, notCarried };
    }
    const weights = join(outDir, MODEL_FILE);
    const cfgPath = join(outDir, CONFIG_FILE);
    atomicWriteFile(weights, saveCheckpoint(model));
    atomicWriteFile(cfgPath, configJson(config));
    carried.push('the config, with the dataset keys in arch');
    return { files: [weights, cfgPath], carried, notCarried };
  } finally {
    model.dispose();
  }
}
