/** @rrm/arc/node: ARC files on disk and the streaming dataset build. */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gridToRows, type PuzzleSet, pythonJson } from '@rrm/puzzles';
import {
  PuzzleSetWriter,
  readIdentifiers,
  readMetadata,
  readSplit,
  tokenDtype,
  writeIdentifiers,
  writeMetadata,
} from '@rrm/puzzles/node';
import { Rng } from '@rrm/random';
import { applyAugmentation, parseAugmentationName } from './augment.js';
import {
  type ArcPlan,
  type ArcPlanOptions,
  type ArcSubset,
  arcSplitMetadata,
  type PlannedPuzzle,
  planArcDataset,
  taskToJson,
} from './build.js';
import { ARC_SEQ_LEN, cropArcGrid, encodeArcGrid, randomOffset } from './encode.js';
import { ArcEvaluator, type ArcResult, type TestPuzzlesJson } from './evaluate.js';
import { ArcDataError, parseCombined, parseTask } from './task.js';

function readJson(path: string): unknown {
  if (!existsSync(path)) throw new ArcDataError(`${path}: file not found`);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ArcDataError(`${path}: invalid JSON (${(e as Error).message})`);
  }
}

/**
 * `${prefix}_${subset}_challenges.json` with `${prefix}_${subset}_solutions.json` when it
 * exists. Without solutions, test outputs stay null unless `requireSolutions`.
 */
export function loadArcSubset(
  prefix: string,
  subset: string,
  options: { requireSolutions?: boolean } = {},
): ArcSubset {
  const challengesFile = `${prefix}_${subset}_challenges.json`;
  const solutionsFile = `${prefix}_${subset}_solutions.json`;
  const hasSolutions = existsSync(solutionsFile);
  if (!hasSolutions && options.requireSolutions)
    throw new ArcDataError(`${solutionsFile}: file not found (solutions are required)`);
  const tasks = parseCombined(
    readJson(challengesFile),
    hasSolutions ? readJson(solutionsFile) : null,
    {
      challengesFile,
      solutionsFile,
      requireTestOutputs: options.requireSolutions,
    },
  );
  return { name: subset, tasks };
}

/** A folder of one-JSON-per-task files (the ARC-AGI repositories' layout), as one subset. */
export function loadArcTasksDir(
  dir: string,
  options: { name?: string; requireSolutions?: boolean } = {},
): ArcSubset {
  if (!existsSync(dir)) throw new ArcDataError(`${dir}: folder not found`);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  if (files.length === 0) throw new ArcDataError(`${dir}: no .json task files`);
  const tasks = files.map((f) =>
    parseTask(basename(f, '.json'), readJson(join(dir, f)), {
      file: join(dir, f),
      requireTestOutputs: options.requireSolutions ?? true,
    }),
  );
  return { name: options.name ?? basename(dir), tasks };
}

function writeSplitGroups(
  dir: string,
  split: 'train' | 'test',
  groups: PlannedPuzzle[][],
  numIdentifiers: number,
  rng: Rng,
  onPuzzle: () => void,
): void {
  const metadata = arcSplitMetadata(groups, numIdentifiers);
  const numExamples = groups.reduce((a, g) => a + g.reduce((b, p) => b + p.pairs.length, 0), 0);
  const writer = new PuzzleSetWriter(dir, split, 'all', {
    numExamples,
    seqLen: metadata.seq_len,
    dtype: tokenDtype(metadata.vocab_size),
  });
  for (const group of groups) {
    for (const puzzle of group) {
      // The reference keeps one random example per puzzle untranslated.
      const keep = rng.int(puzzle.pairs.length);
      puzzle.pairs.forEach((pair, i) => {
        const input = applyAugmentation(pair.input, puzzle.augmentation);
        const output = applyAugmentation(pair.output!, puzzle.augmentation);
        const offset =
          split === 'train' && i !== keep ? randomOffset(input, output, rng) : undefined;
        writer.addExample(encodeArcGrid(input, offset), encodeArcGrid(output, offset));
      });
      writer.endPuzzle(puzzle.identifier);
      onPuzzle();
    }
    writer.endGroup();
  }
  writer.close();
  writeMetadata(dir, split, metadata);
}

/** Stream a planned build to `dir`: both splits, identifiers.json and test_puzzles.json. */
export function writeArcDataset(
  dir: string,
  plan: ArcPlan,
  options: { seed: number; onProgress?: ArcPlanOptions['onProgress'] },
): void {
  const rng = new Rng(options.seed).fork(2);
  const total =
    plan.train.reduce((a, g) => a + g.length, 0) + plan.test.reduce((a, g) => a + g.length, 0);
  let done = 0;
  const tick = () => options.onProgress?.(++done, total);
  writeSplitGroups(dir, 'train', plan.train, plan.identifiers.length, rng, tick);
  writeSplitGroups(dir, 'test', plan.test, plan.identifiers.length, rng, tick);
  writeIdentifiers(dir, plan.identifiers);
  const testPuzzles: Record<string, unknown> = {};
  for (const task of plan.testTasks) testPuzzles[task.id] = taskToJson(task);
  writeFileSync(join(dir, 'test_puzzles.json'), pythonJson(testPuzzles));
}

export function readTestPuzzles(dir: string): TestPuzzlesJson {
  const path = join(dir, 'test_puzzles.json');
  const value = readJson(path);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ArcDataError(`${path}: expected an object {task_id: task}`);
  return value as TestPuzzlesJson;
}

/** Write a Kaggle-style submission.json ({task_id: [{attempt_1, attempt_2}, ...]}). */
export function writeSubmission(path: string, submission: ArcResult['submission']): void {
  writeFileSync(path, JSON.stringify(submission));
}

/**
 * The test inputs with their answers, as test_puzzles.json gives them, taken from the test
 * split's un-augmented puzzles (the reference builders put exactly the test examples of the
 * test set's tasks there). Data built by the HRM repository's builder has no
 * test_puzzles.json; this stands in for it.
 */
export function testPuzzlesFromSplit(dir: string): TestPuzzlesJson {
  const names = readIdentifiers(dir);
  const split = readSplit(dir, 'test');
  try {
    const out: TestPuzzlesJson = {};
    const row = new Int32Array(ARC_SEQ_LEN);
    const grid = (rows: PuzzleSet['inputs'], e: number) => {
      rows.readRow(e, row, 0);
      return gridToRows(cropArcGrid(row));
    };
    for (const set of Object.values(split.sets)) {
      for (let p = 0; p < set.puzzleIdentifiers.length; p++) {
        const id = set.puzzleIdentifiers[p];
        const name = names[id];
        if (id === split.metadata.blank_identifier_id || name === undefined) continue;
        if (parseAugmentationName(name).augmentation !== null) continue;
        out[name] ??= { test: [] };
        for (let e = set.puzzleIndices[p]; e < set.puzzleIndices[p + 1]; e++)
          out[name].test.push({ input: grid(set.inputs, e), output: grid(set.labels, e) });
      }
    }
    return out;
  } finally {
    split.close();
  }
}

/** Where the ARC evaluator's test puzzles come from for `dir`, in one line for logs. */
export function arcTestPuzzlesSource(dir: string): string {
  const path = join(dir, 'test_puzzles.json');
  return existsSync(path)
    ? `evaluator "arc": test puzzles from ${path}`
    : `evaluator "arc": ${path} not found (the HRM repository's builder writes none); test inputs and answers taken from the test split's un-augmented puzzles`;
}

/** An evaluator for a built dataset folder (identifiers.json, test_puzzles.json, test/dataset.json). */
export function arcEvaluatorForDataset(
  dir: string,
  options: { passKs?: number[]; submissionK?: number } = {},
): ArcEvaluator {
  return new ArcEvaluator({
    identifiers: readIdentifiers(dir),
    testPuzzles: existsSync(join(dir, 'test_puzzles.json'))
      ? readTestPuzzles(dir)
      : testPuzzlesFromSplit(dir),
    blankIdentifierId: readMetadata(dir, 'test').blank_identifier_id,
    ...options,
  });
}

/** Plan and write in one call; returns the plan (identifiers, groups, warnings) for summaries. */
export function buildArcDataset(
  outDir: string,
  subsets: ArcSubset[],
  options: ArcPlanOptions,
): ArcPlan {
  const plan = planArcDataset(subsets, options);
  writeArcDataset(outDir, plan, { seed: options.seed, onProgress: options.onProgress });
  return plan;
}
