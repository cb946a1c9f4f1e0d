import { describe, expect, it } from 'vitest';
import {
  type Batch,
  IGNORE_LABEL_ID,
  memorySet,
  type PuzzleSplit,
  TrainSampler,
  testBatches,
} from '../src/index.js';

/**
 * A toy split whose tokens identify their example: input row e is [e+1, e+1, 0]
 * (so pad 0 appears), labels [e+1, 0, e+1] (0 = ignored label). Groups hold
 * puzzles of 1..3 examples.
 */
function toySplit(): PuzzleSplit {
  const puzzleSizes = [2, 2, 3, 1, 1, 3, 2, 2, 2, 1];
  const groupIndices = [0, 2, 3, 5, 6, 8, 10];
  const puzzleIndices = [0];
  for (const s of puzzleSizes) puzzleIndices.push(puzzleIndices[puzzleIndices.length - 1] + s);
  const n = puzzleIndices[puzzleIndices.length - 1];
  const inputs = new Uint8Array(n * 3);
  const labels = new Uint8Array(n * 3);
  for (let e = 0; e < n; e++) {
    inputs.set([e + 1, e + 1, 0], e * 3);
    labels.set([e + 1, 0, e + 1], e * 3);
  }
  const puzzleIdentifiers = puzzleSizes.map((_, p) => p + 1);
  return {
    metadata: {
      pad_id: 0,
      ignore_label_id: 0,
      blank_identifier_id: 0,
      vocab_size: 64,
      seq_len: 3,
      num_puzzle_identifiers: 11,
      total_groups: 6,
      mean_puzzle_examples: n / puzzleSizes.length,
      total_puzzles: puzzleSizes.length,
      sets: ['all'],
    },
    sets: {
      all: memorySet({ inputs, labels, puzzleIdentifiers, puzzleIndices, groupIndices, seqLen: 3 }),
    },
  };
}

const examplesOf = (b: Batch) =>
  Array.from({ length: b.effectiveSize }, (_, i) => b.inputs[i * 3] - 1);

describe('TrainSampler', () => {
  const split = toySplit();
  const set = split.sets.all;
  const puzzleOf = (e: number) =>
    set.puzzleIndices.findIndex((_, p) => e < set.puzzleIndices[p + 1]);
  const groupOf = (p: number) => set.groupIndices.findIndex((_, g) => p < set.groupIndices[g + 1]);

  it('fills full batches from one puzzle per group, examples without replacement, and drops the rest', () => {
    const sampler = new TrainSampler(split, { globalBatchSize: 4, seed: 3 });
    let pass = 0;
    let groupsThisPass = new Set<number>();
    let batches = 0;
    for (let i = 0; i < 60; i++) {
      const b = sampler.next();
      if (sampler.pass !== pass) {
        pass = sampler.pass;
        groupsThisPass = new Set();
      }
      expect(b.effectiveSize).toBe(4);
      const examples = examplesOf(b);
      expect(new Set(examples).size).toBe(4);
      // Consecutive runs of the same puzzle: each run is a new group of this pass.
      for (let k = 0; k < 4; k++) {
        const p = puzzleOf(examples[k]);
        expect(b.puzzleIdentifiers[k]).toBe(p + 1);
        if (k === 0 || puzzleOf(examples[k - 1]) !== p) {
          // A group may continue from the previous batch only at slot 0.
          if (k > 0) expect(groupsThisPass.has(groupOf(p))).toBe(false);
          groupsThisPass.add(groupOf(p));
        }
        expect(Array.from(b.labels.subarray(k * 3, k * 3 + 3))).toEqual([
          examples[k] + 1,
          IGNORE_LABEL_ID,
          examples[k] + 1,
        ]);
      }
      batches++;
    }
    expect(batches).toBe(60);
    // 6 groups hold at least 8 examples per pass: 2 or more batches a pass, the remainder dropped.
    expect(sampler.pass).toBeGreaterThan(10);
    expect(sampler.pass).toBeLessThan(31);
  });

  it('is reproducible from the seed and differs between seeds', () => {
    const run = (seed: number) => {
      const s = new TrainSampler(split, { globalBatchSize: 3, seed });
      return Array.from({ length: 20 }, () => examplesOf(s.next())).flat();
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('resumes the exact stream from a saved state, mid-pass and across JSON', () => {
    const a = new TrainSampler(split, { globalBatchSize: 3, seed: 11 });
    for (let i = 0; i < 5; i++) a.next();
    const state = JSON.parse(JSON.stringify(a.getState()));
    const expected = Array.from({ length: 15 }, () => examplesOf(a.next()));
    const b = new TrainSampler(split, { globalBatchSize: 3, seed: 11 }, state);
    expect(Array.from({ length: 15 }, () => examplesOf(b.next()))).toEqual(expected);
    expect(() => new TrainSampler(split, { globalBatchSize: 4, seed: 11 }, state)).toThrow(
      /batch size/,
    );
  });

  it('refuses a batch larger than a whole pass', () => {
    expect(() => new TrainSampler(split, { globalBatchSize: 100, seed: 0 }).next()).toThrow(
      /enough groups/,
    );
  });
});

describe('testBatches', () => {
  it('visits every example once in order and pads the last batch', () => {
    const split = toySplit();
    const batches = [...testBatches(split, 4)];
    const n = split.sets.all.inputs.numRows;
    expect(batches.length).toBe(Math.ceil(n / 4));
    expect(batches.flatMap(examplesOf)).toEqual(Array.from({ length: n }, (_, i) => i));
    const last = batches[batches.length - 1];
    const pads = 4 - last.effectiveSize;
    expect(pads).toBeGreaterThan(0);
    expect(Array.from(last.puzzleIdentifiers.subarray(last.effectiveSize))).toEqual(
      new Array(pads).fill(0),
    );
    expect(Array.from(last.labels.subarray(last.effectiveSize * 3))).toEqual(
      new Array(pads * 3).fill(IGNORE_LABEL_ID),
    );
    expect(Array.from(last.inputs.subarray(last.effectiveSize * 3))).toEqual(
      new Array(pads * 3).fill(0),
    );
    // Example 2 belongs to puzzle 1 (identifier 2).
    expect(batches[0].puzzleIdentifiers[2]).toBe(2);
  });
});
