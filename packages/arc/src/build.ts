/**
 * The reference ARC dataset build, planned in memory and written by the Node
 * entry. Tasks of each subset are shuffled; a test-set task sends its test pairs
 * to the `test` split and its demonstrations to `train`; every other task sends
 * all its pairs to `train`. Each task is one group holding the original and its
 * augmented variants; identifiers number the puzzle names from 1 (0 = blank). On a canvas
 * smaller than 30 a task with a grid that does not fit is an error, or is left out before
 * the shuffle when `onlyFitting` asks for the tasks that fit.
 */

import {
  type Grid,
  gridToRows,
  makeGrid,
  type ProgressCallback,
  type PuzzleDatasetMetadata,
} from '@rrm/puzzles';
import { Rng } from '@rrm/random';
import { type ArcAugmentation, augmentationName, chooseAugmentations } from './augment.js';
import { ARC_VOCAB_SIZE, arcTaskOverflow, checkArcCanvas, checkArcTaskFits } from './encode.js';
import { ARC_MAX_GRID, ArcDataError, type ArcPair, type ArcTask } from './task.js';

export interface ArcSubset {
  name: string;
  tasks: ArcTask[];
}

export interface ArcPlanOptions {
  /** Subsets whose test pairs form the test split (the reference's --test-set-name). */
  testSets: string[];
  /** Augmented variants per task (the reference default is 1000). */
  numAug: number;
  seed: number;
  /** Side of the square canvas (default 30, the papers'); seq_len is its square. */
  canvas?: number;
  /** Leave out the tasks with a grid larger than the canvas instead of refusing them. */
  onlyFitting?: boolean;
  onProgress?: ProgressCallback;
}

export interface PlannedPuzzle {
  name: string;
  identifier: number;
  pairs: ArcPair[];
  augmentation: ArcAugmentation;
}

export interface ArcPlan {
  /** Groups of puzzles per split, in output order. */
  train: PlannedPuzzle[][];
  test: PlannedPuzzle[][];
  /** identifiers[id] = puzzle name; identifiers[0] = "<blank>". */
  identifiers: string[];
  /** The test-set tasks, for test_puzzles.json and the evaluator. */
  testTasks: ArcTask[];
  /** Tasks that got fewer distinct augmentations than asked, and test inputs without answers. */
  warnings: string[];
  canvas: number;
  /** Per subset: its tasks, and those kept (all of them unless `onlyFitting` left some out). */
  kept: Array<{ subset: string; tasks: number; kept: number }>;
}

/** The reference's stand-in for a missing test answer. */
const DUMMY_OUTPUT: Grid = makeGrid(1, 1);

export function planArcDataset(subsets: ArcSubset[], options: ArcPlanOptions): ArcPlan {
  if (!Number.isInteger(options.numAug) || options.numAug < 0)
    throw new Error(`numAug must be an integer >= 0, got ${options.numAug}`);
  const known = new Set(subsets.map((s) => s.name));
  for (const t of options.testSets) {
    if (!known.has(t))
      throw new Error(`test set "${t}" is not one of the subsets (${[...known].join(', ')})`);
  }
  const canvas = checkArcCanvas(options.canvas ?? ARC_MAX_GRID);
  // Checked before any draw, so that a refused task is refused whatever the seed.
  const fitting = subsets.map((s) => {
    if (!options.onlyFitting) {
      for (const t of s.tasks) checkArcTaskFits(t, canvas, `${s.name}/${t.id}`);
      return s.tasks;
    }
    const kept = s.tasks.filter((t) => arcTaskOverflow(t, canvas) === null);
    // A subset that adds nothing is a mistake in the options, not a dataset.
    if (kept.length === 0 && s.tasks.length > 0)
      throw new ArcDataError(
        `subset "${s.name}": none of its ${s.tasks.length} tasks fits the ${canvas}x${canvas} canvas`,
      );
    return kept;
  });
  const rng = new Rng(options.seed);
  const plan: ArcPlan = {
    train: [],
    test: [],
    identifiers: ['<blank>'],
    testTasks: [],
    warnings: [],
    canvas,
    kept: subsets.map((s, i) => ({
      subset: s.name,
      tasks: s.tasks.length,
      kept: fitting[i].length,
    })),
  };
  const ids = new Map<string, number>();
  const identifier = (name: string) => {
    let id = ids.get(name);
    if (id === undefined) {
      id = plan.identifiers.length;
      ids.set(name, id);
      plan.identifiers.push(name);
    }
    return id;
  };
  const total = fitting.reduce((a, tasks) => a + tasks.length, 0);
  let done = 0;
  for (const [s, subset] of subsets.entries()) {
    const isTest = options.testSets.includes(subset.name);
    for (const task of rng.shuffle([...fitting[s]])) {
      const test = task.test.map((p) => {
        if (p.output) return p;
        plan.warnings.push(
          `${subset.name}/${task.id}: test input without an answer, labelled [[0]] as the reference does`,
        );
        return { input: p.input, output: DUMMY_OUTPUT };
      });
      const byKind = { train: task.train, test };
      const trainPairs = isTest ? task.train : task.keyOrder.flatMap((k) => byKind[k]);
      const augs = chooseAugmentations([...task.train, ...test], options.numAug, rng);
      if (augs.length < options.numAug + 1)
        plan.warnings.push(
          `${subset.name}/${task.id}: only ${augs.length - 1} distinct augmentations`,
        );
      const names = augs.map((a, i) => (i === 0 ? task.id : augmentationName(task.id, a)));
      const variants = (pairs: ArcPair[]) =>
        augs.map((a, i) => ({
          name: names[i],
          identifier: identifier(names[i]),
          pairs,
          augmentation: a,
        }));
      plan.train.push(variants(trainPairs));
      if (isTest) {
        plan.test.push(variants(test));
        plan.testTasks.push({ ...task, test });
      }
      options.onProgress?.(++done, total, { task: task.id });
    }
  }
  return plan;
}

/** dataset.json of one planned split. */
export function arcSplitMetadata(
  groups: PlannedPuzzle[][],
  numIdentifiers: number,
  canvas = ARC_MAX_GRID,
): PuzzleDatasetMetadata {
  const puzzles = groups.reduce((a, g) => a + g.length, 0);
  const examples = groups.reduce((a, g) => a + g.reduce((b, p) => b + p.pairs.length, 0), 0);
  return {
    pad_id: 0,
    ignore_label_id: 0,
    blank_identifier_id: 0,
    vocab_size: ARC_VOCAB_SIZE,
    seq_len: checkArcCanvas(canvas) ** 2,
    num_puzzle_identifiers: numIdentifiers,
    total_groups: groups.length,
    mean_puzzle_examples: puzzles > 0 ? examples / puzzles : 0,
    total_puzzles: puzzles,
    sets: ['all'],
  };
}

/** An ARC task as JSON, keeping the source key order (the content of test_puzzles.json). */
export interface ArcPairJson {
  input: number[][];
  output?: number[][];
}

export function taskToJson(task: ArcTask): { train: ArcPairJson[]; test: ArcPairJson[] } {
  const pairs = (ps: ArcPair[]) =>
    ps.map((p) =>
      p.output
        ? { input: gridToRows(p.input), output: gridToRows(p.output) }
        : { input: gridToRows(p.input) },
    );
  const out = {} as { train: ArcPairJson[]; test: ArcPairJson[] };
  for (const k of task.keyOrder) out[k] = pairs(task[k]);
  return out;
}
