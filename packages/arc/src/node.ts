/** @rrm/arc/node: ARC files on disk and the streaming dataset build. */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gridToRows, type PuzzleSet, pythonJson } from '@rrm/puzzles';
import {
  BUILD_FILE,
  buildDatasetFolder,
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
import { arcCanvasForSeqLen, cropArcGrid, encodeArcGrid, randomOffset } from './encode.js';
import { ArcEvaluator, type ArcResult, type TestPuzzlesJson } from './evaluate.js';
import { ARC_MAX_GRID, ArcDataError, parseCombined, parseTask } from './task.js';

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
  canvas: number,
  rng: Rng,
  onPuzzle: () => void,
): void {
  const metadata = arcSplitMetadata(groups, numIdentifiers, canvas);
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
          split === 'train' && i !== keep ? randomOffset(input, output, rng, canvas) : undefined;
        writer.addExample(
          encodeArcGrid(input, offset, canvas),
          encodeArcGrid(output, offset, canvas),
        );
      });
      writer.endPuzzle(puzzle.identifier);
      onPuzzle();
    }
    writer.endGroup();
  }
  writer.close();
  writeMetadata(dir, split, metadata);
}

/**
 * Stream a planned build to `dir`: both splits, identifiers.json and test_puzzles.json,
 * and `build.json` when `settings` (`arcBuildSettings`) are given.
 */
export function writeArcDataset(
  dir: string,
  plan: ArcPlan,
  options: {
    seed: number;
    onProgress?: ArcPlanOptions['onProgress'];
    settings?: Record<string, unknown>;
  },
): void {
  const rng = new Rng(options.seed).fork(2);
  const total =
    plan.train.reduce((a, g) => a + g.length, 0) + plan.test.reduce((a, g) => a + g.length, 0);
  let done = 0;
  const tick = () => options.onProgress?.(++done, total);
  const ids = plan.identifiers.length;
  writeSplitGroups(dir, 'train', plan.train, ids, plan.canvas, rng, tick);
  writeSplitGroups(dir, 'test', plan.test, ids, plan.canvas, rng, tick);
  writeIdentifiers(dir, plan.identifiers);
  const testPuzzles: Record<string, unknown> = {};
  for (const task of plan.testTasks) testPuzzles[task.id] = taskToJson(task);
  writeFileSync(join(dir, 'test_puzzles.json'), pythonJson(testPuzzles));
  if (options.settings)
    writeFileSync(join(dir, BUILD_FILE), `${JSON.stringify(options.settings, null, 2)}\n`);
}

/** Where an ARC build takes its tasks: Kaggle-style combined files, or one-task-per-file folders. */
export type ArcSources = { inputPrefix: string; subsets: string[] } | { tasksDirs: string[] };

export function loadArcSources(sources: ArcSources): ArcSubset[] {
  return 'inputPrefix' in sources
    ? sources.subsets.map((name) => loadArcSubset(sources.inputPrefix, name))
    : sources.tasksDirs.map((dir) => loadArcTasksDir(dir));
}

/** Bumped whenever the same settings would build different data. */
const ARC_BUILDER_VERSION = 1;

/**
 * What `build.json` records for an ARC build: everything that decides the data written
 * (the sources by path, as given: their content is not fingerprinted).
 */
export function arcBuildSettings(
  sources: ArcSources,
  options: Omit<ArcPlanOptions, 'onProgress'>,
): Record<string, unknown> {
  return {
    kind: 'arc',
    version: ARC_BUILDER_VERSION,
    ...('inputPrefix' in sources
      ? { input_prefix: sources.inputPrefix, subsets: sources.subsets }
      : { tasks_dirs: sources.tasksDirs }),
    test_sets: options.testSets,
    num_aug: options.numAug,
    seed: options.seed,
    canvas: options.canvas ?? ARC_MAX_GRID,
    only_fitting: options.onlyFitting ?? false,
  };
}

/**
 * Load, plan and write an ARC dataset into `dir` whole (replacing it), with `build.json`,
 * so that a folder built with other settings is detected instead of reused.
 */
export function buildArcDatasetFolder(
  dir: string,
  sources: ArcSources,
  options: ArcPlanOptions,
): ArcPlan {
  const plan = planArcDataset(loadArcSources(sources), options);
  const settings = arcBuildSettings(sources, options);
  buildDatasetFolder(dir, (tmp) =>
    writeArcDataset(tmp, plan, { seed: options.seed, onProgress: options.onProgress, settings }),
  );
  return plan;
}

/** The canvas side of the dataset in `dir`, from its test split's seq_len. */
function datasetCanvas(dir: string, seqLen: number): number {
  try {
    return arcCanvasForSeqLen(seqLen);
  } catch (e) {
    throw new ArcDataError(`${join(dir, 'test', 'dataset.json')}: ${(e as Error).message}`);
  }
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
    const canvas = datasetCanvas(dir, split.metadata.seq_len);
    const row = new Int32Array(canvas * canvas);
    const grid = (rows: PuzzleSet['inputs'], e: number) => {
      rows.readRow(e, row, 0);
      return gridToRows(cropArcGrid(row, undefined, canvas));
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

/**
 * An evaluator for a built dataset folder (identifiers.json, test_puzzles.json,
 * test/dataset.json, whose seq_len gives the canvas).
 */
export function arcEvaluatorForDataset(
  dir: string,
  options: { passKs?: number[]; submissionK?: number } = {},
): ArcEvaluator {
  const metadata = readMetadata(dir, 'test');
  const canvas = datasetCanvas(dir, metadata.seq_len);
  return new ArcEvaluator({
    identifiers: readIdentifiers(dir),
    testPuzzles: existsSync(join(dir, 'test_puzzles.json'))
      ? readTestPuzzles(dir)
      : testPuzzlesFromSplit(dir),
    blankIdentifierId: metadata.blank_identifier_id,
    canvas,
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
