/**
 * ARC tasks in both public formats, validated with errors that name the file,
 * the task id and the example: one JSON per task (`{"train": [...], "test": [...]}`)
 * and the combined `*_challenges.json` + `*_solutions.json` pair.
 */
import { type Grid, makeGrid } from '@rrm/puzzles';

export const ARC_MAX_GRID = 30;

export interface ArcPair {
  input: Grid;
  /** null for a test input whose answer is not given. */
  output: Grid | null;
}

export interface ArcTask {
  id: string;
  train: ArcPair[];
  test: ArcPair[];
  /** The order of the "train"/"test" keys in the source, which the reference keeps. */
  keyOrder: Array<'train' | 'test'>;
}

export class ArcDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArcDataError';
  }
}

/** A grid from JSON: rectangular, 1..30 on each side, values 0..9. */
export function parseGrid(value: unknown, where: string): Grid {
  if (!Array.isArray(value) || value.length === 0)
    throw new ArcDataError(`${where}: grid is empty or not a list of rows`);
  if (value.length > ARC_MAX_GRID)
    throw new ArcDataError(
      `${where}: grid has ${value.length} rows, at most ${ARC_MAX_GRID} allowed`,
    );
  const first = value[0];
  if (!Array.isArray(first) || first.length === 0)
    throw new ArcDataError(`${where}: row 0 is empty or not a list`);
  const cols = first.length;
  if (cols > ARC_MAX_GRID)
    throw new ArcDataError(`${where}: grid has ${cols} columns, at most ${ARC_MAX_GRID} allowed`);
  const g = makeGrid(value.length, cols);
  value.forEach((row: unknown, r) => {
    if (!Array.isArray(row) || row.length !== cols) {
      throw new ArcDataError(
        `${where}: grid is not rectangular (row ${r} has ${Array.isArray(row) ? row.length : 'no'} cells, row 0 has ${cols})`,
      );
    }
    row.forEach((v: unknown, c) => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 9) {
        throw new ArcDataError(
          `${where}: value ${JSON.stringify(v)} at row ${r}, column ${c} is not a colour 0-9`,
        );
      }
      g.data[r * cols + c] = v;
    });
  });
  return g;
}

export interface ParseOptions {
  /** Name of the source file, for errors. */
  file: string;
  /** Every test input must have an output (default true). */
  requireTestOutputs?: boolean;
}

function parsePairs(
  value: unknown,
  kind: 'train' | 'test',
  id: string,
  options: ParseOptions,
): ArcPair[] {
  const where = `${options.file}: task ${id}`;
  if (!Array.isArray(value) || value.length === 0)
    throw new ArcDataError(`${where}: "${kind}" must be a non-empty list of examples`);
  return value.map((ex: unknown, i) => {
    const at = `${where}, ${kind} example ${i}`;
    if (typeof ex !== 'object' || ex === null)
      throw new ArcDataError(`${at}: expected an object with "input" and "output"`);
    const e = ex as Record<string, unknown>;
    const input = parseGrid(e.input, `${at} input`);
    if (e.output === undefined) {
      if (kind === 'train' || options.requireTestOutputs !== false)
        throw new ArcDataError(`${at}: missing "output"`);
      return { input, output: null };
    }
    return { input, output: parseGrid(e.output, `${at} output`) };
  });
}

/** One task object `{"train": [...], "test": [...]}`. */
export function parseTask(id: string, value: unknown, options: ParseOptions): ArcTask {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ArcDataError(
      `${options.file}: task ${id}: expected an object with "train" and "test"`,
    );
  }
  const obj = value as Record<string, unknown>;
  const keyOrder = Object.keys(obj).filter(
    (k): k is 'train' | 'test' => k === 'train' || k === 'test',
  );
  if (keyOrder.length !== 2)
    throw new ArcDataError(`${options.file}: task ${id}: needs both "train" and "test"`);
  return {
    id,
    train: parsePairs(obj.train, 'train', id, options),
    test: parsePairs(obj.test, 'test', id, options),
    keyOrder,
  };
}

/**
 * The combined format. With `solutions` (`{id: [grid, ...]}`) each test input gets its
 * output; without, outputs stay null unless `requireTestOutputs` is set.
 */
export function parseCombined(
  challenges: unknown,
  solutions: unknown | null,
  options: { challengesFile: string; solutionsFile?: string; requireTestOutputs?: boolean },
): ArcTask[] {
  if (typeof challenges !== 'object' || challenges === null || Array.isArray(challenges)) {
    throw new ArcDataError(`${options.challengesFile}: expected an object {task_id: task}`);
  }
  const sols = solutions as Record<string, unknown> | null;
  if (sols !== null && (typeof sols !== 'object' || Array.isArray(sols))) {
    throw new ArcDataError(`${options.solutionsFile}: expected an object {task_id: [grid, ...]}`);
  }
  if (sols) {
    // A solution with no challenge means the two files are from different sets.
    const extra = Object.keys(sols).filter((id) => !Object.hasOwn(challenges, id));
    if (extra.length > 0) {
      throw new ArcDataError(
        `${options.solutionsFile}: task ${extra[0]} has solutions but is not in ${options.challengesFile}${extra.length > 1 ? ` (and ${extra.length - 1} more)` : ''}`,
      );
    }
  }
  return Object.entries(challenges).map(([id, value]) => {
    const task = parseTask(id, value, { file: options.challengesFile, requireTestOutputs: false });
    if (sols) {
      const where = `${options.solutionsFile}: task ${id}`;
      const answers = sols[id];
      if (!Array.isArray(answers)) throw new ArcDataError(`${where}: no solutions`);
      if (answers.length !== task.test.length) {
        throw new ArcDataError(
          `${where}: ${answers.length} solutions for ${task.test.length} test inputs`,
        );
      }
      task.test.forEach((pair, i) => {
        pair.output = parseGrid(answers[i], `${where}, test example ${i} output`);
      });
    }
    if (options.requireTestOutputs) {
      const i = task.test.findIndex((p) => p.output === null);
      if (i >= 0)
        throw new ArcDataError(
          `${options.challengesFile}: task ${id}, test example ${i}: missing "output" and no solutions file`,
        );
    }
    return task;
  });
}
