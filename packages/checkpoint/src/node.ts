/**
 * Node-only: checkpoint files and reference run folders. The main entry stays free of
 * `node:fs` for browsers.
 */
import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Module, TensorRecord, WritableTensor } from '@rrm/layers';
import { atomicWriteFile } from '@rrm/layers/node';
import { CheckpointError } from './errors';
import { parseReferenceConfig, type RunConfig, referenceConfigYaml } from './reference-config';
import { isZip, writeTorchCheckpoint } from './torch';
import { type LoadOptions, loadWeights, readWeights, type WeightsFormat } from './weights';

export const REFERENCE_CONFIG = 'all_config.yaml';
const REFERENCE_STEP = /^step_(\d+)$/;

function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new CheckpointError(path, `cannot read: ${(e as Error).message}`);
  }
}

/** The first bytes of a file, enough to tell the formats apart without reading it all. */
function head(path: string): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const buf = new Uint8Array(4);
    return buf.subarray(0, readSync(fd, buf, 0, 4, 0));
  } finally {
    closeSync(fd);
  }
}

/** Tensors of a safetensors or `torch.save` file. */
export function readWeightsFile(path: string): {
  format: WeightsFormat;
  tensors: Map<string, TensorRecord>;
} {
  return readWeights(readBytes(path), path);
}

export function loadWeightsFile(
  model: Module,
  path: string,
  opts: Omit<LoadOptions, 'source'> = {},
): void {
  loadWeights(model, readWeightsFile(path).tensors, { ...opts, source: path });
}

/** A reference checkpoint: the `step_N` file and the run's `all_config.yaml`. */
export interface ReferenceLocation {
  weights: string;
  config: string;
  step: number | null;
}

/** The newest `step_N` file of a reference run folder, or null when there is none. */
function newestStep(dir: string): string | null {
  let best: { n: number; name: string } | null = null;
  for (const name of readdirSync(dir)) {
    const m = REFERENCE_STEP.exec(name);
    if (m && statSync(join(dir, name)).isFile() && (!best || Number(m[1]) > best.n))
      best = { n: Number(m[1]), name };
  }
  return best && join(dir, best.name);
}

/**
 * Where the reference checkpoint at `path` is: a run folder (`all_config.yaml` and `step_N`
 * files; the newest is taken) or a checkpoint file (its config beside it). Null when
 * `path` is neither, so that callers can try their own layouts.
 */
export function locateReferenceCheckpoint(path: string): ReferenceLocation | null {
  if (!existsSync(path)) return null;
  const isDir = statSync(path).isDirectory();
  const weights = isDir ? newestStep(path) : path;
  if (!weights) return null;
  if (!isDir && !isZip(head(weights))) return null;
  const config = join(dirname(weights), REFERENCE_CONFIG);
  if (!existsSync(config)) {
    throw new CheckpointError(
      weights,
      `a torch checkpoint needs the run's ${REFERENCE_CONFIG} beside it for the architecture; none at ${config}`,
    );
  }
  const m = REFERENCE_STEP.exec(basename(weights));
  return { weights, config, step: m ? Number(m[1]) : null };
}

/** A reference checkpoint read whole: its run config and its tensors. */
export function readReferenceCheckpoint(loc: ReferenceLocation): {
  config: RunConfig;
  tensors: Map<string, TensorRecord>;
} {
  const config = parseReferenceConfig(readFileSync(loc.config, 'utf8'), loc.config);
  return { config, tensors: readWeightsFile(loc.weights).tensors };
}

/**
 * Writes a reference run folder: `step_<step>` (`torch.save` format) and `all_config.yaml`,
 * each written atomically. Returns the two paths.
 */
export function writeReferenceRun(
  dir: string,
  step: number,
  tensors: ReadonlyMap<string, WritableTensor>,
  config: RunConfig,
  extra: Record<string, unknown> = {},
): { weights: string; config: string } {
  const name = `step_${step}`;
  const weights = join(dir, name);
  const cfgPath = join(dir, REFERENCE_CONFIG);
  atomicWriteFile(weights, writeTorchCheckpoint(tensors, name));
  atomicWriteFile(cfgPath, referenceConfigYaml(config, extra));
  return { weights, config: cfgPath };
}
