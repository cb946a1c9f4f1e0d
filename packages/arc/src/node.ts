/** @rrm/arc/node: ARC files on disk and the streaming dataset build. */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pythonJson } from '@rrm/puzzles';
import {
  PuzzleSetWriter,
  readIdentifiers,
  readMetadata,
  tokenDtype,
  writeIdentifiers,
  writeMetadata,
} from '@rrm/puzzles/node';
import { Rng } from '@rrm/random';
import { applyAugmentation } from './augment.js';
import {
  type ArcPlan,
  type ArcPlanOptions,
  type ArcSubset,
  arcSplitMetadata,
  type PlannedPuzzle,
  planArcDataset,
  taskToJson,
} from './build.js';
import { encodeArcGrid, randomOffset } from './encode.js';
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
 * Why the ARC evaluator cannot score `dir`, or null when it can. Data built by the HRM
 * repository's builder has no test_puzzles.json (the test inputs with their answers), so
 * there are no tasks to vote on: pass@k and submission.json are skipped, while exact and
 * token accuracy on the test split are still measured.
 */
export function arcEvaluatorSkipReason(dir: string): string | null {
  const path = join(dir, 'test_puzzles.json');
  return existsSync(path)
    ? null
    : `evaluator "arc" skipped: ${path} not found (data built without it, as the HRM repository's builder does); ARC pass@k and submission.json need it, exact and token accuracy are still reported`;
}

/** An evaluator for a built dataset folder (identifiers.json, test_puzzles.json, test/dataset.json). */
export function arcEvaluatorForDataset(
  dir: string,
  options: { passKs?: number[]; submissionK?: number } = {},
): ArcEvaluator {
  return new ArcEvaluator({
    identifiers: readIdentifiers(dir),
    testPuzzles: readTestPuzzles(dir),
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
