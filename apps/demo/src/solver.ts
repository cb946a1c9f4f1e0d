import { type ActBatch, type ActModel, disposeCarry, disposeStep, loadCheckpoint } from '@rrm/act';
import { ARC_SEQ_LEN, ARC_VOCAB_SIZE, cropArcGrid, encodeArcGrid } from '@rrm/arc';
import { createHRM } from '@rrm/hrm';
import {
  decodeMaze,
  decodeSudoku,
  encodeMaze,
  encodeSudoku,
  type Grid,
  IGNORE_LABEL_ID,
  MAZE_CHARSET,
  makeGrid,
  type SudokuShape,
  shapeForCells,
  sudokuSize,
  sudokuVocabSize,
} from '@rrm/puzzles';
import { createTRM } from '@rrm/trm';
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
      misfit: (p) => (p.input.rows === n ? null : `it was trained on ${n}×${n} Sudoku`),
      encode: (p) => encodeSudoku(p.input.data),
      decode: (t) => makeGrid(n, n, decodeSudoku(t, shape)),
    };
  }
  if (seqLen === ARC_SEQ_LEN && vocab === ARC_VOCAB_SIZE) {
    return {
      kind: 'arc',
      misfit: () => null,
      encode: (p) => encodeArcGrid(p.input),
      decode: (t) => cropArcGrid(t),
    };
  }
  const side = Math.round(Math.sqrt(seqLen));
  if (side * side === seqLen && vocab === MAZE_CHARSET.length + 1) {
    return {
      kind: 'maze',
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

/**
 * Loads a checkpoint written by rrm-train: `config.json` (with `model` and `arch`)
 * and the weights in safetensors under the reference names.
 */
export async function loadSolver(
  config: { name: string; text: string },
  weights: { name: string; bytes: Uint8Array },
): Promise<Solver> {
  const cfg = parseJson(config.text, config.name);
  if (cfg.model !== 'trm' && cfg.model !== 'hrm') {
    throw new Error(
      `${config.name}: field "model" must be "trm" or "hrm", got ${JSON.stringify(cfg.model)}`,
    );
  }
  if (!cfg.arch || typeof cfg.arch !== 'object')
    throw new Error(`${config.name}: missing the "arch" object`);
  // One puzzle at a time; the batch size the model was trained with does not matter here.
  const arch = { ...(cfg.arch as Record<string, unknown>), batch_size: 1 };
  const create = cfg.model === 'trm' ? createTRM : createHRM;
  let model: ActModel<{
    seq_len: number;
    vocab_size: number;
    halt_max_steps: number;
    hidden_size: number;
  }>;
  try {
    model = create(arch, { seed: 0 });
  } catch (e) {
    throw new Error(`${config.name}: ${(e as Error).message}`);
  }
  try {
    loadCheckpoint(model, weights.bytes, { source: weights.name });
  } catch (e) {
    model.dispose();
    throw e;
  }
  const { seq_len, vocab_size, halt_max_steps, hidden_size } = model.config;
  const codec = codecFor(seq_len, vocab_size);
  const build = cfg.build_data as { kind?: string; min_givens?: number } | null | undefined;
  const shape = codec?.kind === 'sudoku' ? shapeForCells(seq_len) : null;

  const cannotSolve = (p: Puzzle): string | null => {
    if (!codec)
      return `its sequence length ${seq_len} and vocabulary ${vocab_size} match no known puzzle encoding`;
    if (p.kind !== codec.kind)
      return `it was trained on ${codec.kind === 'arc' ? 'ARC' : codec.kind} puzzles`;
    return codec.misfit(p);
  };

  return {
    summary: `${String(cfg.model).toUpperCase()} · hidden ${hidden_size} · ${halt_max_steps} steps · ${codec?.kind ?? 'unknown task'}`,
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
      const tokens = codec.encode(p);
      const batch: ActBatch = {
        inputs: tf.tensor2d(Int32Array.from(tokens), [1, seq_len], 'int32'),
        labels: tf.fill([1, seq_len], IGNORE_LABEL_ID, 'int32') as tf.Tensor2D,
        // 0 is the reference's blank identifier: the page's puzzles have no learned embedding.
        puzzle_identifiers: tf.tensor1d([0], 'int32'),
      };
      const steps: StepResult[] = [];
      let carry = model.initialCarry(1);
      try {
        // Evaluation mode runs every one of halt_max_steps; q_halt says where it would stop.
        for (let k = 0; k < halt_max_steps; k++) {
          const r = model.step(carry, batch, { train: false });
          carry = r.carry;
          const prediction = tf.tidy(() => tf.argMax(r.outputs.logits, -1));
          const [predicted, qHalt] = await Promise.all([prediction.data(), r.outputs.qHalt.data()]);
          prediction.dispose();
          disposeStep(r);
          steps.push({ answer: codec.decode(Int32Array.from(predicted)), qHalt: qHalt[0] });
          onStep?.(k + 1, halt_max_steps);
        }
      } finally {
        disposeCarry(carry);
        tf.dispose([batch.inputs, batch.labels, batch.puzzle_identifiers]);
      }
      return { steps, ms: performance.now() - t0 };
    },
    dispose: () => model.dispose(),
  };
}
