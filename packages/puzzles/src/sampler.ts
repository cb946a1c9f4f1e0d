/**
 * Batches with the reference PuzzleDataset semantics.
 *
 * Train: each pass over a set shuffles its groups with a generator seeded by
 * `seed + pass`, takes one random puzzle per group and that puzzle's examples
 * without replacement until the global batch is full; the last incomplete batch
 * of a pass is dropped. Test: every example in order, the last batch padded with
 * `pad_id` inputs, ignored labels and blank identifiers.
 * Labels equal to `ignore_label_id` become IGNORE_LABEL_ID in both.
 */
import { Rng, type RngState } from '@rrm/random';
import type { PuzzleSet, PuzzleSplit } from './dataset.js';
import { DatasetError } from './metadata.js';

export const IGNORE_LABEL_ID = -100;

export interface Batch {
  setName: string;
  /** [batchSize, seqLen] */
  inputs: Int32Array;
  /** [batchSize, seqLen], IGNORE_LABEL_ID where not scored */
  labels: Int32Array;
  /** [batchSize] */
  puzzleIdentifiers: Int32Array;
  batchSize: number;
  seqLen: number;
  /** Examples that are real data (the rest is padding). */
  effectiveSize: number;
}

function newBatch(setName: string, batchSize: number, seqLen: number): Batch {
  return {
    setName,
    inputs: new Int32Array(batchSize * seqLen),
    labels: new Int32Array(batchSize * seqLen),
    puzzleIdentifiers: new Int32Array(batchSize),
    batchSize,
    seqLen,
    effectiveSize: 0,
  };
}

function putExample(
  batch: Batch,
  slot: number,
  set: PuzzleSet,
  example: number,
  puzzle: number,
  ignoreLabel: number | null,
): void {
  const offset = slot * batch.seqLen;
  set.inputs.readRow(example, batch.inputs, offset);
  set.labels.readRow(example, batch.labels, offset);
  if (ignoreLabel !== null) {
    for (let i = offset; i < offset + batch.seqLen; i++) {
      if (batch.labels[i] === ignoreLabel) batch.labels[i] = IGNORE_LABEL_ID;
    }
  }
  batch.puzzleIdentifiers[slot] = set.puzzleIdentifiers[puzzle];
}

function checkBatchSize(globalBatchSize: number): void {
  if (!Number.isInteger(globalBatchSize) || globalBatchSize < 1) {
    throw new DatasetError(`globalBatchSize must be a positive integer, got ${globalBatchSize}`);
  }
}

export interface TrainSamplerOptions {
  globalBatchSize: number;
  seed: number;
}

/** Everything needed to continue the exact same stream of batches. */
export interface TrainSamplerState {
  seed: number;
  globalBatchSize: number;
  /** Completed passes over a set; pass p reads set `sets[p % sets.length]`. */
  pass: number;
  /** Next position in the pass's group order. */
  cursor: number;
  /** The pass generator after the last batch; null before the pass starts. */
  rng: RngState | null;
}

export class TrainSampler {
  private readonly setNames: string[];
  private state: TrainSamplerState;
  private groupOrder: Int32Array | null = null;
  private rng: Rng | null = null;

  constructor(
    private readonly split: PuzzleSplit,
    options: TrainSamplerOptions,
    state?: TrainSamplerState,
  ) {
    checkBatchSize(options.globalBatchSize);
    this.setNames = split.metadata.sets;
    for (const name of this.setNames) {
      if (!split.sets[name])
        throw new DatasetError(`TrainSampler: set "${name}" listed in dataset.json is missing`);
    }
    this.state = state
      ? { ...state }
      : {
          seed: options.seed,
          globalBatchSize: options.globalBatchSize,
          pass: 0,
          cursor: 0,
          rng: null,
        };
    if (
      this.state.seed !== options.seed ||
      this.state.globalBatchSize !== options.globalBatchSize
    ) {
      throw new DatasetError(
        `TrainSampler: saved state has seed ${this.state.seed} and batch size ${this.state.globalBatchSize}, ` +
          `options ask for ${options.seed} and ${options.globalBatchSize}`,
      );
    }
    if (this.state.rng) this.startPass(Rng.fromState(this.state.rng));
  }

  /** Passes completed so far, over all sets. */
  get pass(): number {
    return this.state.pass;
  }

  getState(): TrainSamplerState {
    return { ...this.state, rng: this.rng ? this.rng.getState() : null };
  }

  private set(): [string, PuzzleSet] {
    const name = this.setNames[this.state.pass % this.setNames.length];
    return [name, this.split.sets[name]];
  }

  private startPass(resumed?: Rng): void {
    const [, set] = this.set();
    const rng = new Rng(this.state.seed + this.state.pass);
    // The group order is a pure function of (seed, pass), so a resumed run recomputes it.
    this.groupOrder = rng.permutation(set.groupIndices.length - 1);
    this.rng = resumed ?? rng;
  }

  /** The next full batch; passes roll over (and sets alternate) as needed. */
  next(): Batch {
    for (let emptyPasses = 0; ; ) {
      if (!this.groupOrder || !this.rng) {
        this.state.cursor = 0;
        this.startPass();
      }
      const batch = this.fill();
      if (batch) return batch;
      emptyPasses++;
      if (emptyPasses > this.setNames.length) {
        throw new DatasetError(
          `TrainSampler: no set has enough groups to fill a batch of ${this.state.globalBatchSize}`,
        );
      }
    }
  }

  private fill(): Batch | null {
    const [name, set] = this.set();
    const order = this.groupOrder!;
    const rng = this.rng!;
    const size = this.state.globalBatchSize;
    const batch = newBatch(name, size, set.inputs.rowLength);
    const ignore = this.split.metadata.ignore_label_id;
    let filled = 0;
    let cursor = this.state.cursor;
    while (cursor < order.length && filled < size) {
      const group = order[cursor++];
      const first = set.groupIndices[group];
      const puzzle = first + rng.int(set.groupIndices[group + 1] - first);
      const start = set.puzzleIndices[puzzle];
      const count = set.puzzleIndices[puzzle + 1] - start;
      const take = Math.min(count, size - filled);
      // Partial Fisher–Yates: `take` of the puzzle's examples without replacement.
      const pick = Array.from({ length: count }, (_, i) => i);
      for (let i = 0; i < take; i++) {
        const j = i + rng.int(count - i);
        [pick[i], pick[j]] = [pick[j], pick[i]];
        putExample(batch, filled++, set, start + pick[i], puzzle, ignore);
      }
    }
    this.state.cursor = cursor;
    if (filled < size) {
      // Drop the incomplete batch and move on to the next pass.
      this.state.pass++;
      this.groupOrder = null;
      this.rng = null;
      return null;
    }
    batch.effectiveSize = filled;
    return batch;
  }
}

/** Every example of every set in order; the last batch of a set padded. */
export function* testBatches(split: PuzzleSplit, globalBatchSize: number): Generator<Batch> {
  checkBatchSize(globalBatchSize);
  const { pad_id, blank_identifier_id, ignore_label_id } = split.metadata;
  for (const name of split.metadata.sets) {
    const set = split.sets[name];
    if (!set)
      throw new DatasetError(`testBatches: set "${name}" listed in dataset.json is missing`);
    const total = set.inputs.numRows;
    const seqLen = set.inputs.rowLength;
    let puzzle = 0;
    for (let start = 0; start < total; start += globalBatchSize) {
      const batch = newBatch(name, globalBatchSize, seqLen);
      const end = Math.min(total, start + globalBatchSize);
      for (let example = start; example < end; example++) {
        while (set.puzzleIndices[puzzle + 1] <= example) puzzle++;
        putExample(batch, example - start, set, example, puzzle, ignore_label_id);
      }
      batch.effectiveSize = end - start;
      batch.inputs.fill(pad_id, batch.effectiveSize * seqLen);
      batch.labels.fill(IGNORE_LABEL_ID, batch.effectiveSize * seqLen);
      batch.puzzleIdentifiers.fill(blank_identifier_id, batch.effectiveSize);
      yield batch;
    }
  }
}
