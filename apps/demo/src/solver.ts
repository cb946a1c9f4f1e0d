import { type ActBatch, type ActModel, evaluationSteps, haltLogit } from '@rrm/act';
import {
  ARC_MAX_GRID,
  ARC_SEQ_LEN,
  ARC_VOCAB_SIZE,
  ArcEvaluator,
  type ArcVariants,
  applyAugmentation,
  arcCanvasForSeqLen,
  arcTestVariants,
  cropArcGrid,
  encodeArcGrid,
  parseAugmentationName,
} from '@rrm/arc';
import {
  dataKeysFromWeights,
  modelFromWeights,
  parseReferenceConfig,
  readWeights,
} from '@rrm/checkpoint';
import { WeightsMismatchError } from '@rrm/layers';
import {
  decodeMaze,
  decodeSudoku,
  encodeMaze,
  encodeSudoku,
  type Grid,
  gridToRows,
  IGNORE_LABEL_ID,
  MAZE_CHARSET,
  makeGrid,
  SUDOKU_SHAPES,
  type SudokuShape,
  shapeForCells,
  sudokuSize,
  sudokuVocabSize,
} from '@rrm/puzzles';
import { isSizeFree } from '@rrm/reasoning';
import * as tf from '@tensorflow/tfjs-core';
import type { PuzzleKind } from './grid';
import type { ArcAttempts, Puzzle, SolveTrace, StepResult } from './puzzle';

/** A loaded checkpoint, ready to show its step-by-step answers. */
export interface Solver {
  /** One line for the page header. */
  summary: string;
  /** The Sudoku shape and floor on givens it was trained on (a Sudoku model), for samples. */
  sudoku: { shape: SudokuShape; minGivens: number } | null;
  /** Why this checkpoint cannot solve `p`, or null when it can. */
  cannotSolve(p: Puzzle): string | null;
  /** Runs every supervision step; `onStep(k, total)` after each, for progress. */
  solve(p: Puzzle, onStep?: (k: number, total: number) => void): Promise<SolveTrace>;
  dispose(): void;
}

/** How puzzles of one kind become tokens and tokens become answers. */
interface Codec {
  kind: PuzzleKind;
  /** The task in words, e.g. "6×6 Sudoku". */
  name: string;
  /** null when the puzzle fits; otherwise why not. */
  misfit(p: Puzzle): string | null;
  encode(p: Puzzle): Uint8Array;
  decode(tokens: Int32Array): Grid;
}

const mazeText = (g: Grid) => Array.from(g.data, (v) => MAZE_CHARSET[v]).join('');

/** Which puzzles a model's sequence length and vocabulary mean (they are the reference's encodings). */
function codecFor(seqLen: number, vocab: number): Codec | null {
  const shape = shapeForCells(seqLen);
  if (shape && vocab === sudokuVocabSize(shape)) {
    const n = sudokuSize(shape);
    return {
      kind: 'sudoku',
      name: `${n}×${n} Sudoku`,
      misfit: (p) => (p.input.rows === n ? null : `it was trained on ${n}×${n} Sudoku`),
      encode: (p) => encodeSudoku(p.input.data),
      decode: (t) => makeGrid(n, n, decodeSudoku(t, shape)),
    };
  }
  const side = Math.round(Math.sqrt(seqLen));
  if (vocab === ARC_VOCAB_SIZE && side * side === seqLen && side <= ARC_MAX_GRID) {
    return {
      kind: 'arc',
      name: side === ARC_MAX_GRID ? 'ARC' : `ARC on a ${side}×${side} canvas`,
      misfit: (p) => {
        const big = [p.input, p.solution].find((g) => g && (g.rows > side || g.cols > side));
        return big
          ? `the ${big.rows}×${big.cols} ${big === p.input ? 'test input' : 'answer'} does not fit its ${side}×${side} canvas`
          : null;
      },
      encode: (p) => encodeArcGrid(p.input, undefined, side),
      decode: (t) => cropArcGrid(t, undefined, side),
    };
  }
  if (side * side === seqLen && vocab === MAZE_CHARSET.length + 1) {
    return {
      kind: 'maze',
      name: `${side}×${side} mazes`,
      misfit: (p) =>
        p.input.rows === side && p.input.cols === side
          ? null
          : `it was trained on ${side}×${side} mazes`,
      encode: (p) => encodeMaze(mazeText(p.input)),
      decode: (t) =>
        makeGrid(
          side,
          side,
          Array.from(decodeMaze(t), (ch) => MAZE_CHARSET.indexOf(ch)),
        ),
    };
  }
  return null;
}

function readJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: not valid JSON (${(e as Error).message})`);
  }
}

function parseJson(text: string, source: string): Record<string, unknown> {
  const v = readJson(text, source);
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw new Error(`${source}: expected a JSON object`);
  return v as Record<string, unknown>;
}

/**
 * identifiers.json of the data a model was trained on: the name of each puzzle embedding, in
 * order (index 0 is the blank). Checked against the model's embedding table.
 */
function parseIdentifiers(file: { name: string; text: string }, embeddings: number): string[] {
  const v = readJson(file.text, file.name);
  if (!Array.isArray(v) || !v.every((n) => typeof n === 'string'))
    throw new Error(`${file.name}: expected a JSON array of puzzle names`);
  if (embeddings > 1 && v.length !== embeddings)
    throw new Error(
      `${file.name}: ${v.length} puzzle names, but the model has ${embeddings} puzzle embeddings (pick the identifiers.json of the data it was trained on)`,
    );
  for (const [i, name] of v.entries()) {
    if (i === 0) continue;
    try {
      parseAugmentationName(name);
    } catch (e) {
      throw new Error(`${file.name}: entry ${i}: ${(e as Error).message}`);
    }
  }
  return v;
}

/**
 * An ARC test input is answered as the task and this many augmentations when the model's
 * identifiers.json is not given (the papers vote over up to 1000; 8 keep a solve to seconds).
 */
const PAGE_ARC_AUGMENTATIONS = 8;

/** The attempts the versions' last answers vote for, mapped back through their augmentations. */
function voteAttempts(
  p: Puzzle & { arc: NonNullable<Puzzle['arc']> },
  versions: ArcVariants,
  canvas: number,
  last: { inputs: Int32Array; preds: Int32Array; qHaltLogits: Float32Array },
): ArcAttempts {
  const { task, testIndex } = p.arc;
  const evaluator = new ArcEvaluator({
    identifiers: ['<blank>', ...versions.variants.map((v) => v.name)],
    testPuzzles: { [task.id]: { test: task.test.map((t) => ({ input: gridToRows(t.input) })) } },
    canvas,
    passKs: [],
  });
  evaluator.update({ ...last, puzzleIdentifiers: versions.variants.map((_, i) => i + 1) });
  return {
    best: evaluator.candidates(task.id, testIndex).slice(0, 2),
    versions: versions.variants.length,
    learned: versions.learned,
  };
}

/** A config file of either trainer: rrm's `config.json` or the reference's `all_config.yaml`. */
const isReferenceConfig = (name: string) => /\.ya?ml$/i.test(name);

const IDENTIFIERS_FILE = 'identifiers.json';

/**
 * The config and the weights among files picked together: a `.json` or `.yaml` config, and
 * a `.safetensors` file or the newest of the reference's `step_N` files (a run folder's
 * files picked at once); and the training data's `identifiers.json` when it is among them.
 */
export function pickCheckpointFiles<F extends { name: string }>(
  files: F[],
): { config: F; weights: F; identifiers?: F } {
  const identifiers = files.find((f) => f.name === IDENTIFIERS_FILE);
  const config = files.find(
    (f) => f !== identifiers && (/\.json$/i.test(f.name) || isReferenceConfig(f.name)),
  );
  const step = (f: F) => Number(/^step_(\d+)$/.exec(f.name)?.[1] ?? -1);
  const steps = files.filter((f) => step(f) >= 0).sort((a, b) => step(b) - step(a));
  const weights = files.find((f) => f.name.endsWith('.safetensors')) ?? steps[0];
  if (!config || !weights) {
    throw new Error(
      `select a checkpoint's files: model.safetensors with its config.json, or a reference step_N with its all_config.yaml (got ${files.map((f) => f.name).join(', ')})`,
    );
  }
  return { config, weights, ...(identifiers && { identifiers }) };
}

/** The sequence length the reference encodings give a vocabulary (RoPE models do not store it). */
function seqLenForVocab(vocab: number): number | undefined {
  const sudoku = Object.values(SUDOKU_SHAPES).find((s) => sudokuVocabSize(s) === vocab);
  if (sudoku) return sudokuSize(sudoku) ** 2;
  if (vocab === ARC_VOCAB_SIZE) return ARC_SEQ_LEN;
  // The reference mazes are 30×30, the ARC canvas size.
  return vocab === MAZE_CHARSET.length + 1 ? ARC_SEQ_LEN : undefined;
}

/**
 * Weights made for another task than the config's (a 6×6 checkpoint beside a 4×4 config)
 * would otherwise fail on every mis-shaped tensor; one line says what each file is for.
 */
function checkSameTask(
  config: string,
  arch: Record<string, unknown>,
  weights: string,
  found: { seq_len?: number; vocab_size?: number },
): void {
  const stated = { seq_len: Number(arch.seq_len), vocab_size: Number(arch.vocab_size) };
  const seen = {
    seq_len: found.seq_len ?? stated.seq_len,
    vocab_size: found.vocab_size ?? stated.vocab_size,
  };
  if (seen.seq_len === stated.seq_len && seen.vocab_size === stated.vocab_size) return;
  const task = (d: typeof stated) =>
    `${codecFor(d.seq_len, d.vocab_size)?.name ?? 'an unknown task'} (sequence length ${d.seq_len}, vocabulary ${d.vocab_size})`;
  throw new Error(
    `${weights} holds weights for ${task(seen)}, but ${config} describes ${task(stated)}`,
  );
}

/** `{ model, arch }` of a checkpoint's config, with what the weights say filled in. */
function modelConfig(
  config: { name: string; text: string },
  tensors: ReturnType<typeof readWeights>['tensors'],
): { kind: 'trm' | 'hrm'; arch: Record<string, unknown>; cfg: Record<string, unknown> } {
  if (isReferenceConfig(config.name)) {
    const ref = parseReferenceConfig(config.text, config.name);
    const arch: Record<string, unknown> = {
      ...dataKeysFromWeights(ref.model, ref.arch, tensors),
      ...ref.arch,
    };
    arch.seq_len ??= seqLenForVocab(Number(arch.vocab_size));
    return { kind: ref.model, arch, cfg: {} };
  }
  const cfg = parseJson(config.text, config.name);
  if (cfg.model !== 'trm' && cfg.model !== 'hrm') {
    throw new Error(
      `${config.name}: field "model" must be "trm" or "hrm", got ${JSON.stringify(cfg.model)}`,
    );
  }
  if (!cfg.arch || typeof cfg.arch !== 'object')
    throw new Error(`${config.name}: missing the "arch" object`);
  return { kind: cfg.model, arch: cfg.arch as Record<string, unknown>, cfg };
}

/**
 * Loads a checkpoint: rrm-train's `config.json` with `model.safetensors`, or the reference
 * trainer's `all_config.yaml` with a `step_N` file (PyTorch's format), weights under the
 * reference names either way. An ARC model answers each test input as the task and its
 * augmentations, under the puzzle embeddings it learned for them when `identifiers` (the
 * identifiers.json of its training data) is given.
 */
export async function loadSolver(
  config: { name: string; text: string },
  weights: { name: string; bytes: Uint8Array },
  identifiersFile?: { name: string; text: string },
): Promise<Solver> {
  const { tensors } = readWeights(weights.bytes, weights.name);
  const { kind, arch: stored, cfg } = modelConfig(config, tensors);
  checkSameTask(config.name, stored, weights.name, dataKeysFromWeights(kind, stored, tensors));
  // One puzzle at a time; the batch size the model was trained with does not matter here.
  const arch = { ...stored, batch_size: 1 };
  let model: ActModel<{
    seq_len: number;
    vocab_size: number;
    halt_max_steps: number;
    hidden_size: number;
    num_puzzle_identifiers: number;
  }>;
  try {
    model = modelFromWeights(kind, arch, tensors, {
      seed: 0,
      source: weights.name,
    }) as typeof model;
  } catch (e) {
    // A mismatch names the weights file itself; anything else is the config's.
    if (e instanceof WeightsMismatchError) throw e;
    throw new Error(`${config.name}: ${(e as Error).message}`);
  }
  const { seq_len, vocab_size, halt_max_steps, hidden_size } = model.config;
  const identifiers =
    identifiersFile && parseIdentifiers(identifiersFile, model.config.num_puzzle_identifiers);
  const codec = codecFor(seq_len, vocab_size);
  const build = cfg.build_data as { kind?: string; min_givens?: number } | null | undefined;
  const shape = codec?.kind === 'sudoku' ? shapeForCells(seq_len) : null;
  // Grid-mixing weights fit any board: such a maze model solves mazes of every size, each
  // through a model built for its sequence length from the same weights.
  const sizeFree = codec?.kind === 'maze' && isSizeFree(stored);
  const bySeqLen = new Map([[seq_len, { model, codec }]]);
  const forPuzzle = (p: Puzzle) => {
    const len = sizeFree ? p.input.rows * p.input.cols : seq_len;
    let entry = bySeqLen.get(len);
    if (!entry) {
      const sized = modelFromWeights(kind, { ...arch, seq_len: len }, tensors, {
        seed: 0,
        source: weights.name,
      }) as typeof model;
      entry = { model: sized, codec: codecFor(len, vocab_size) };
      bySeqLen.set(len, entry);
    }
    return entry;
  };

  const cannotSolve = (p: Puzzle): string | null => {
    if (!codec)
      return `its sequence length ${seq_len} and vocabulary ${vocab_size} match no known puzzle encoding`;
    if (p.kind !== codec.kind)
      return `it was trained on ${codec.kind === 'arc' ? 'ARC' : codec.kind} puzzles`;
    return sizeFree && p.input.rows === p.input.cols ? null : codec.misfit(p);
  };

  return {
    summary: `${kind.toUpperCase()} · hidden ${hidden_size} · ${halt_max_steps} steps · ${codec?.kind ?? 'unknown task'}${sizeFree ? ' of any size' : ''}`,
    sudoku: shape
      ? {
          shape,
          minGivens:
            build?.kind === 'sudoku' && build.min_givens !== undefined ? build.min_givens : 0,
        }
      : null,
    cannotSolve,
    async solve(p, onStep) {
      const why = cannotSolve(p);
      if (why || !codec) throw new Error(`cannot solve ${p.title}: ${why}`);
      const t0 = performance.now();
      const { model, codec: sized } = forPuzzle(p);
      // An ARC test input is answered as the task and its augmentations, which then vote;
      // row 0, the task as given, is the one shown step by step.
      const arc = codec.kind === 'arc' && p.arc ? { ...p, arc: p.arc } : null;
      const versions =
        arc &&
        arcTestVariants(arc.arc.task, { identifiers, numAug: PAGE_ARC_AUGMENTATIONS, seed: 0 });
      const canvas = arc ? arcCanvasForSeqLen(seq_len) : 0;
      const rows = versions
        ? versions.variants.map((v) =>
            encodeArcGrid(applyAugmentation(p.input, v.augmentation), undefined, canvas),
          )
        : [sized!.encode(p)];
      const len = rows[0].length;
      const inputs = Int32Array.from(rows.flatMap((r) => [...r]));
      const batch: ActBatch = {
        inputs: tf.tensor2d(inputs, [rows.length, len], 'int32'),
        labels: tf.fill([rows.length, len], IGNORE_LABEL_ID, 'int32') as tf.Tensor2D,
        // 0 is the reference's blank identifier: the puzzle has no learned embedding.
        puzzle_identifiers: tf.tensor1d(
          versions ? versions.variants.map((v) => v.identifier) : [0],
          'int32',
        ),
      };
      const steps: StepResult[] = [];
      let last: { preds: Int32Array; qHaltLogits: Float32Array } | null = null;
      try {
        // Every one of halt_max_steps, as evaluation runs; the halting logit says where it would stop.
        for (const { step, outputs } of evaluationSteps(model, batch)) {
          const prediction = tf.tidy(() => tf.argMax(outputs.logits, -1));
          const halt = haltLogit(model.options.halting, outputs.qHalt, outputs.qContinue);
          const [predicted, h, q] = await Promise.all([
            prediction.data(),
            halt.data(),
            outputs.qHalt.data(),
          ]);
          tf.dispose([prediction, halt]);
          const preds = Int32Array.from(predicted);
          steps.push({ answer: sized!.decode(preds.subarray(0, len)), haltLogit: h[0] });
          last = { preds, qHaltLogits: Float32Array.from(q) };
          onStep?.(step, halt_max_steps);
        }
      } finally {
        tf.dispose([batch.inputs, batch.labels, batch.puzzle_identifiers]);
      }
      const haltRule = model.options.halting.haltOnQHaltOnly ? 'q_halt > 0' : 'q_halt > q_continue';
      const attempts =
        arc && versions && last
          ? voteAttempts(arc, versions, canvas, { inputs, ...last })
          : undefined;
      return { steps, ms: performance.now() - t0, haltRule, ...(attempts && { attempts }) };
    },
    dispose: () => {
      for (const entry of bySeqLen.values()) entry.model.dispose();
    },
  };
}
