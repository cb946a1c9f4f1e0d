import { type ActBatch, type ActModel, evaluationSteps, haltLogit } from '@rrm/act';
import { ARC_SEQ_LEN, ARC_VOCAB_SIZE, cropArcGrid, encodeArcGrid } from '@rrm/arc';
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
import type { Puzzle, SolveTrace, StepResult } from './puzzle';

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
  if (seqLen === ARC_SEQ_LEN && vocab === ARC_VOCAB_SIZE) {
    return {
      kind: 'arc',
      name: 'ARC',
      misfit: () => null,
      encode: (p) => encodeArcGrid(p.input),
      decode: (t) => cropArcGrid(t),
    };
  }
  const side = Math.round(Math.sqrt(seqLen));
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

function parseJson(text: string, source: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: not valid JSON (${(e as Error).message})`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw new Error(`${source}: expected a JSON object`);
  return v as Record<string, unknown>;
}

/** A config file of either trainer: rrm's `config.json` or the reference's `all_config.yaml`. */
const isReferenceConfig = (name: string) => /\.ya?ml$/i.test(name);

/**
 * The config and the weights among files picked together: a `.json` or `.yaml` config, and
 * a `.safetensors` file or the newest of the reference's `step_N` files (a run folder's
 * files picked at once).
 */
export function pickCheckpointFiles<F extends { name: string }>(
  files: F[],
): { config: F; weights: F } {
  const config = files.find((f) => /\.json$/i.test(f.name) || isReferenceConfig(f.name));
  const step = (f: F) => Number(/^step_(\d+)$/.exec(f.name)?.[1] ?? -1);
  const steps = files.filter((f) => step(f) >= 0).sort((a, b) => step(b) - step(a));
  const weights = files.find((f) => f.name.endsWith('.safetensors')) ?? steps[0];
  if (!config || !weights) {
    throw new Error(
      `select a checkpoint's files: model.safetensors with its config.json, or a reference step_N with its all_config.yaml (got ${files.map((f) => f.name).join(', ')})`,
    );
  }
  return { config, weights };
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
 * reference names either way.
 */
export async function loadSolver(
  config: { name: string; text: string },
  weights: { name: string; bytes: Uint8Array },
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
      const tokens = sized!.encode(p);
      const len = tokens.length;
      const batch: ActBatch = {
        inputs: tf.tensor2d(Int32Array.from(tokens), [1, len], 'int32'),
        labels: tf.fill([1, len], IGNORE_LABEL_ID, 'int32') as tf.Tensor2D,
        // 0 is the reference's blank identifier: the page's puzzles have no learned embedding.
        puzzle_identifiers: tf.tensor1d([0], 'int32'),
      };
      const steps: StepResult[] = [];
      try {
        // Every one of halt_max_steps, as evaluation runs; the halting logit says where it would stop.
        for (const { step, outputs } of evaluationSteps(model, batch)) {
          const prediction = tf.tidy(() => tf.argMax(outputs.logits, -1));
          const halt = haltLogit(model.options.halting, outputs.qHalt, outputs.qContinue);
          const [predicted, h] = await Promise.all([prediction.data(), halt.data()]);
          tf.dispose([prediction, halt]);
          steps.push({ answer: sized!.decode(Int32Array.from(predicted)), haltLogit: h[0] });
          onStep?.(step, halt_max_steps);
        }
      } finally {
        tf.dispose([batch.inputs, batch.labels, batch.puzzle_identifiers]);
      }
      const haltRule = model.options.halting.haltOnQHaltOnly ? 'q_halt > 0' : 'q_halt > q_continue';
      return { steps, ms: performance.now() - t0, haltRule };
    },
    dispose: () => {
      for (const entry of bySeqLen.values()) entry.model.dispose();
    },
  };
}
