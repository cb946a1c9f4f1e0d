/**
 * rrm-data: build puzzle datasets in the reference layout and inspect them.
 * All data logic lives in @rrm/puzzles and @rrm/arc; this file parses arguments,
 * draws progress and prints summaries.
 */
import { existsSync, readFileSync, statfsSync } from 'node:fs';
import { totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import {
  ARC_MAX_GRID,
  ARC_VOCAB_SIZE,
  ArcDataError,
  type ArcSubset,
  cropArcGrid,
  formatArcGrid,
  locateArcGrid,
  planArcDataset,
} from '@rrm/arc';
import { type ArcSources, arcBuildSettings, loadArcSources, writeArcDataset } from '@rrm/arc/node';
import { Progress, peakRssMb } from '@rrm/progress';
import {
  checkGivens,
  DatasetError,
  decodeMaze,
  decodeSudoku,
  formatMaze,
  formatSudoku,
  generatedDatasetBytes,
  MAZE_CARVERS,
  type MazeCarver,
  mazeSplit,
  NpyFormatError,
  type PuzzleDataset,
  PuzzleOptionError,
  type PuzzleSplit,
  parseMazeCsv,
  parseSudokuCsv,
  SUDOKU_SHAPES,
  shapeForCells,
  sudokuSplit,
} from '@rrm/puzzles';
import {
  buildMazeDataset,
  buildSudokuDataset,
  FIELDS,
  NpyFile,
  readIdentifiers,
  readSplit,
  SPLITS,
  writeDataset,
} from '@rrm/puzzles/node';
import { Rng } from '@rrm/random';
import { intOption, type ParsedArgs, parseArgs, requireOption, UsageError } from './args.js';

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export const USAGE = `usage:
  rrm-data build arc (--input-prefix PATH [--subsets training,evaluation] | --tasks-dir DIR[,DIR...])
                     [--test-set NAME[,NAME]] [--num-aug 1000] [--seed 42] [--canvas 30 [--only-fitting]]
                     --out DIR
  rrm-data build sudoku [--size 4x4|6x6|9x9] [--train 1000] [--test 100] [--num-aug 100]
                        [--min-givens G] [--max-givens G] [--min-effort E] [--seed 0] --out DIR
  rrm-data build sudoku (--csv-train FILE [--csv-test FILE] | --csv-test FILE) [--min-rating R] [--subsample N]
                        [--num-aug 100] [--seed 0] --out DIR
  rrm-data build maze [--size 30] [--train 1000] [--test 100] [--min-path L] [--test-min-path L]
                      [--loops 0.05] [--carver backtrack|prim|mixed] [--aug] [--seed 0] --out DIR
  rrm-data build maze (--csv-train FILE [--csv-test FILE] | --csv-test FILE) [--subsample N] [--aug] --out DIR
  rrm-data inspect DIR [--json] [--examples 2]
`;

type Callback = (done: number, total: number, fields?: Record<string, string | number>) => void;

/** A progress bar created on the first callback, when the total is known. */
function progressFor(label: string, io: Io): { onProgress: Callback; finish: () => void } {
  let bar: Progress | null = null;
  return {
    onProgress: (done, total, fields) => {
      bar ??= new Progress({ total, label, stream: io.stderr });
      bar.tick(done - bar.done, fields);
    },
    finish: () => bar?.finish(),
  };
}

function summary(io: Io, what: string, start: number): void {
  const seconds = (performance.now() - start) / 1000;
  io.stderr.write(`${what} in ${seconds.toFixed(1)} s, peak memory ${peakRssMb().toFixed(0)} MB\n`);
}

function countLine(dataset: { train: PuzzleSplit; test: PuzzleSplit }): string {
  return SPLITS.map((s) => {
    const m = dataset[s].metadata;
    const rows = Object.values(dataset[s].sets).reduce((a, set) => a + set.inputs.numRows, 0);
    return `${s}: ${m.total_groups} groups, ${m.total_puzzles} puzzles, ${rows} examples`;
  }).join('; ');
}

function buildArc(args: ParsedArgs, io: Io): void {
  const out = requireOption(args, 'out');
  const prefix = args.values.get('input-prefix');
  const dirs = args.values.get('tasks-dir');
  if ((prefix === undefined) === (dirs === undefined))
    throw new UsageError('give exactly one of --input-prefix and --tasks-dir');
  const canvas = intOption(args, 'canvas', ARC_MAX_GRID, 1);
  if (canvas > ARC_MAX_GRID)
    throw new UsageError(
      `--canvas must be an integer in 1..${ARC_MAX_GRID}, got "${args.values.get('canvas')}"`,
    );
  const onlyFitting = args.flags.has('only-fitting');
  const numAug = intOption(args, 'num-aug', 1000);
  const seed = intOption(args, 'seed', 42);
  const start = performance.now();
  const list = (v: string) => v.split(',').filter(Boolean);
  const sources: ArcSources =
    prefix !== undefined
      ? { inputPrefix: prefix, subsets: list(args.values.get('subsets') ?? 'training,evaluation') }
      : { tasksDirs: list(dirs!) };
  const subsets: ArcSubset[] = loadArcSources(sources);
  const defaultTest = prefix !== undefined ? 'evaluation' : subsets[subsets.length - 1].name;
  const testSets = list(args.values.get('test-set') ?? defaultTest);
  const options = { testSets, numAug, seed, canvas, onlyFitting };
  const planning = progressFor('augment', io);
  const plan = planArcDataset(subsets, { ...options, onProgress: planning.onProgress });
  planning.finish();
  for (const w of plan.warnings.slice(0, 10)) io.stderr.write(`warning: ${w}\n`);
  if (plan.warnings.length > 10)
    io.stderr.write(`warning: ... and ${plan.warnings.length - 10} more\n`);
  const writing = progressFor('write', io);
  writeArcDataset(out, plan, {
    seed,
    onProgress: writing.onProgress,
    settings: arcBuildSettings(sources, options),
  });
  writing.finish();
  const examples = (groups: typeof plan.train) =>
    groups.reduce((a, g) => a + g.reduce((b, p) => b + p.pairs.length, 0), 0);
  if (onlyFitting) {
    const kept = plan.kept.map((k) => `${k.kept} of ${k.tasks} ${k.subset}`).join(', ');
    io.stdout.write(`kept ${kept} tasks (every grid fits ${canvas}x${canvas})\n`);
  }
  io.stdout.write(
    `wrote ${out}: ${plan.kept.reduce((a, k) => a + k.kept, 0)} tasks, ${plan.identifiers.length} puzzle identifiers (with blank); ` +
      `train ${plan.train.length} groups, ${examples(plan.train)} examples; test ${plan.test.length} groups, ${examples(plan.test)} examples\n`,
  );
  summary(io, 'built', start);
}

function readText(path: string): string {
  if (!existsSync(path)) throw new UsageError(`${path}: file not found`);
  return readFileSync(path, 'utf8');
}

/** The reference CSV options: keep rows rated at least --min-rating; --subsample N training rows at random. */
function selectRows<T extends { rating: number }>(
  rows: T[],
  args: ParsedArgs,
  rng: Rng,
  isTrain: boolean,
): T[] {
  const minRating = args.values.has('min-rating') ? intOption(args, 'min-rating', 0) : null;
  const kept = minRating === null ? rows : rows.filter((r) => r.rating >= minRating);
  const n = intOption(args, 'subsample', kept.length);
  if (!isTrain || n >= kept.length) return kept;
  return Array.from(rng.permutation(kept.length).subarray(0, n), (i) => kept[i]);
}

/**
 * The training and test counts of a generated dataset, refused up front when the build
 * cannot finish instead of running towards a crash. `--train 0` makes a test-only dataset
 * (what `rrm-eval` scores; `rrm-train` refuses it by name). The builders stream examples to
 * disk (bound: the free space where --out goes, at 2 bytes a token for inputs and labels);
 * what one holds in memory (the Sudoku builder's original puzzles) is bounded by half the
 * machine's memory.
 */
function generatedCounts(
  args: ParsedArgs,
  io: Io,
  size: { seqLen: number; dir: string; perTrain: number; holdsOriginals: boolean },
): { numTrain: number; numTest: number } {
  const numTrain = intOption(args, 'train', 1000, 0);
  const numTest = intOption(args, 'test', 100, 1);
  if (numTrain === 0)
    io.stderr.write('--train 0: a test-only dataset (rrm-eval scores it; rrm-train refuses it)\n');
  const { seqLen, dir, perTrain, holdsOriginals } = size;
  const gb = (b: number) => (b / 2 ** 30).toFixed(b < 2 ** 30 ? 2 : 0);
  const counts = `--train ${numTrain} --test ${numTest}`;
  const originals = numTrain + numTest;
  const held = holdsOriginals ? generatedDatasetBytes(originals, seqLen) : 0;
  if (held > totalmem() / 2) {
    throw new UsageError(
      `${counts}: ${originals} puzzles of ${seqLen} tokens need about ${gb(held)} GB in memory, ` +
        `more than half of this machine's ${gb(totalmem())} GB; build fewer puzzles (or several datasets)`,
    );
  }
  const examples = numTrain * perTrain + numTest;
  const onDisk = examples * 2 * seqLen;
  const free = freeBytesAt(dir);
  if (onDisk > free) {
    throw new UsageError(
      `${counts}: ${examples} examples of ${seqLen} tokens need about ${gb(onDisk)} GB on disk, more than the ${gb(free)} GB free for ${dir}; build fewer puzzles`,
    );
  }
  return { numTrain, numTest };
}

/** Free bytes on the file system that holds `path` (or its nearest existing parent). */
function freeBytesAt(path: string): number {
  let dir = resolve(path);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  const st = statfsSync(dir);
  return st.bavail * st.bsize;
}

/** A CSV import as a dataset in memory, or null once a generated one has been written to --out. */
function buildSudoku(args: ParsedArgs, io: Io): PuzzleDataset | null {
  const seed = intOption(args, 'seed', 0);
  const numAug = intOption(args, 'num-aug', 100);
  const csvTrain = args.values.get('csv-train');
  const csvTest = args.values.get('csv-test');
  if (csvTrain !== undefined || csvTest !== undefined) {
    const rng = new Rng(seed);
    // --csv-test alone: a test-only dataset, to score a model on puzzles from elsewhere.
    const train = csvTrain === undefined ? null : parseSudokuCsv(readText(csvTrain), csvTrain);
    const test = csvTest === undefined ? null : parseSudokuCsv(readText(csvTest), csvTest);
    const shape = (train ?? test)!.shape;
    if (train && test && test.shape !== train.shape)
      throw new UsageError(`${csvTest}: Sudoku size differs from ${csvTrain}`);
    return {
      train: sudokuSplit(selectRows(train?.rows ?? [], args, rng, true), shape, { numAug, rng }),
      test: sudokuSplit(selectRows(test?.rows ?? [], args, rng, false), shape, { numAug: 0, rng }),
      identifiers: ['<blank>'],
    };
  }
  const sizeName = args.values.get('size') ?? '9x9';
  const shape = SUDOKU_SHAPES[sizeName];
  if (!shape)
    throw new UsageError(
      `--size must be one of ${Object.keys(SUDOKU_SHAPES).join(', ')}, got "${sizeName}"`,
    );
  const options = {
    shape,
    ...generatedCounts(args, io, {
      seqLen: (shape.boxRows * shape.boxCols) ** 2,
      dir: requireOption(args, 'out'),
      perTrain: 1 + numAug,
      holdsOriginals: true,
    }),
    numAug,
    seed,
    minGivens: intOption(args, 'min-givens', 0),
    maxGivens: args.values.has('max-givens') ? intOption(args, 'max-givens', 0) : undefined,
    minEffort: intOption(args, 'min-effort', 0),
  };
  checkGivens(shape, options, { min: '--min-givens', max: '--max-givens' });
  const p = progressFor('generate', io);
  buildSudokuDataset(requireOption(args, 'out'), { ...options, onProgress: p.onProgress });
  p.finish();
  return null;
}

/** A CSV import as a dataset in memory, or null once a generated one has been written to --out. */
function buildMaze(args: ParsedArgs, io: Io): PuzzleDataset | null {
  const augment = args.flags.has('aug');
  const csvTrain = args.values.get('csv-train');
  const csvTest = args.values.get('csv-test');
  if (csvTrain !== undefined || csvTest !== undefined) {
    const rng = new Rng(intOption(args, 'seed', 0));
    // --csv-test alone: a test-only dataset, to score a model on mazes from elsewhere.
    const train = csvTrain === undefined ? null : parseMazeCsv(readText(csvTrain), csvTrain);
    const test = csvTest === undefined ? null : parseMazeCsv(readText(csvTest), csvTest);
    const size = (train ?? test)!.size;
    if (train && test && test.size !== train.size)
      throw new UsageError(
        `${csvTest}: ${test.size}×${test.size} mazes, ${csvTrain} has ${train.size}×${train.size}`,
      );
    return {
      train: mazeSplit(selectRows(train?.rows ?? [], args, rng, true), { dihedral: augment, size }),
      test: mazeSplit(selectRows(test?.rows ?? [], args, rng, false), { dihedral: false, size }),
      identifiers: ['<blank>'],
    };
  }
  const loops = Number(args.values.get('loops') ?? '0.05');
  if (!(loops >= 0 && loops <= 1))
    throw new UsageError(
      `--loops must be a fraction in 0..1 (0: loop-free, one path), got "${args.values.get('loops')}"`,
    );
  const carver = args.values.get('carver') ?? 'backtrack';
  if (!(MAZE_CARVERS as readonly string[]).includes(carver))
    throw new UsageError(`--carver must be one of ${MAZE_CARVERS.join(', ')}, got "${carver}"`);
  const size = intOption(args, 'size', 30, 5);
  const out = requireOption(args, 'out');
  const p = progressFor('generate', io);
  buildMazeDataset(out, {
    size,
    loopFraction: loops,
    carver: carver as MazeCarver,
    // --aug adds the seven other dihedral transforms of each training maze.
    ...generatedCounts(args, io, {
      seqLen: size * size,
      dir: out,
      perTrain: augment ? 8 : 1,
      holdsOriginals: false,
    }),
    minPathLength: intOption(args, 'min-path', 1, 1),
    testMinPathLength: args.values.has('test-min-path')
      ? intOption(args, 'test-min-path', 1, 1)
      : undefined,
    augment,
    seed: intOption(args, 'seed', 0),
    onProgress: p.onProgress,
  });
  p.finish();
  return null;
}

const BUILD_OPTIONS = {
  values: [
    'out',
    'input-prefix',
    'subsets',
    'tasks-dir',
    'test-set',
    'canvas',
    'num-aug',
    'seed',
    'size',
    'train',
    'test',
    'min-givens',
    'max-givens',
    'min-effort',
    'loops',
    'carver',
    'min-path',
    'test-min-path',
    'csv-train',
    'csv-test',
    'min-rating',
    'subsample',
  ],
  flags: ['aug', 'only-fitting'],
};

function build(argv: string[], io: Io): void {
  const args = parseArgs(argv, BUILD_OPTIONS);
  const [kind, ...extra] = args.positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (kind === 'arc') {
    buildArc(args, io);
    return;
  }
  if (kind !== 'sudoku' && kind !== 'maze')
    throw new UsageError(`build what? expected arc, sudoku or maze, got "${kind ?? ''}"`);
  const out = requireOption(args, 'out');
  const start = performance.now();
  const built = kind === 'sudoku' ? buildSudoku(args, io) : buildMaze(args, io);
  if (built) {
    writeDataset(out, built);
    io.stdout.write(`wrote ${out}: ${countLine(built)}\n`);
  } else {
    // Generated data went to disk as it was made: count it there.
    const train = readSplit(out, 'train', { rows: 'file' });
    const test = readSplit(out, 'test', { rows: 'file' });
    io.stdout.write(`wrote ${out}: ${countLine({ train, test })}\n`);
    train.close();
    test.close();
  }
  summary(io, 'built', start);
}

/** Draw example `e` of a split in the most readable form its metadata allows. */
function drawExample(split: PuzzleSplit, e: number, color: boolean): string {
  const set = Object.values(split.sets)[0];
  const { seq_len, vocab_size } = split.metadata;
  const input = new Int32Array(seq_len);
  const label = new Int32Array(seq_len);
  set.inputs.readRow(e, input, 0);
  set.labels.readRow(e, label, 0);
  const sudoku = shapeForCells(seq_len);
  const side = Math.round(Math.sqrt(seq_len));
  let draw: (t: Int32Array) => string;
  // No Sudoku or maze has ARC's 12 tokens; any square canvas up to 30x30 is ARC's.
  if (vocab_size === ARC_VOCAB_SIZE && side * side === seq_len && side <= ARC_MAX_GRID) {
    // Train examples may be translated.
    draw = (t) => formatArcGrid(cropArcGrid(t, locateArcGrid(t, side), side), color);
  } else if (sudoku && vocab_size === sudoku.boxRows * sudoku.boxCols + 2) {
    draw = (t) => formatSudoku(decodeSudoku(t, sudoku), sudoku);
  } else if (vocab_size === 6 && side * side === seq_len) {
    draw = (t) => formatMaze(decodeMaze(t), side);
  } else {
    draw = (t) => t.join(' ');
  }
  return `input:\n${draw(input)}\nlabel:\n${draw(label)}\n`;
}

function inspect(argv: string[], io: Io): void {
  const args = parseArgs(argv, { values: ['examples'], flags: ['json'] });
  const [dir, ...extra] = args.positionals;
  if (!dir) throw new UsageError('inspect needs a dataset folder');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (!existsSync(dir)) throw new UsageError(`${dir}: folder not found`);
  const splits = Object.fromEntries(
    SPLITS.map((s) => [s, readSplit(dir, s, { rows: 'file' })]),
  ) as Record<string, ReturnType<typeof readSplit>>;
  try {
    const identifiers = readIdentifiers(dir);
    if (args.flags.has('json')) {
      const report: Record<string, unknown> = {
        dir,
        num_identifiers: identifiers.length,
        test_puzzles: existsSync(join(dir, 'test_puzzles.json')),
      };
      for (const [name, split] of Object.entries(splits)) {
        const arrays: Record<string, { dtype: string; shape: number[] }> = {};
        for (const set of split.metadata.sets) {
          for (const field of FIELDS) {
            const f = new NpyFile(join(dir, name, `${set}__${field}.npy`));
            arrays[`${set}__${field}`] = { dtype: f.dtype, shape: f.header.shape };
            f.close();
          }
        }
        report[name] = { ...split.metadata, arrays };
      }
      io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return;
    }
    const count = intOption(args, 'examples', 2);
    io.stdout.write(`${basename(dir)}: ${identifiers.length} puzzle identifiers\n`);
    for (const [name, split] of Object.entries(splits)) {
      io.stdout.write(`\n[${name}] ${JSON.stringify(split.metadata)}\n`);
      const rows = Object.values(split.sets)[0].inputs.numRows;
      const rng = new Rng(rows);
      for (let i = 0; i < Math.min(count, rows); i++) {
        const e = rng.int(rows);
        const indices = Object.values(split.sets)[0].puzzleIndices;
        const puzzle = indices.findIndex((_, p) => e < indices[p + 1]);
        const id = Object.values(split.sets)[0].puzzleIdentifiers[puzzle];
        io.stdout.write(
          `example ${e} (puzzle ${puzzle}, identifier ${id} "${identifiers[id] ?? '?'}")\n`,
        );
        io.stdout.write(drawExample(split, e, Boolean(io.stdout.isTTY)));
      }
    }
  } finally {
    for (const s of Object.values(splits)) s.close();
  }
}

/** Run the CLI; returns the exit code. Known errors print one clear line, never a stack trace. */
export async function run(
  argv: string[],
  io: Io = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const args = argv.filter((a) => a !== '--');
  const [command, ...rest] = args;
  try {
    if (command === 'build') build(rest, io);
    else if (command === 'inspect') inspect(rest, io);
    else if (command === undefined || command === 'help' || command === '--help') {
      io.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    } else throw new UsageError(`unknown command "${command}"`);
    return 0;
  } catch (e) {
    const err = e as Error;
    if (err instanceof UsageError) {
      io.stderr.write(`rrm-data: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    const known =
      err instanceof ArcDataError ||
      err instanceof DatasetError ||
      err instanceof NpyFormatError ||
      err instanceof PuzzleOptionError;
    io.stderr.write(`rrm-data: ${known ? '' : 'error: '}${err.message ?? String(e)}\n`);
    if (process.env.RRM_DEBUG) io.stderr.write(`${err.stack}\n`);
    return 1;
  }
}
