/**
 * The reference ARC evaluator: each prediction is cropped from its canvas, mapped
 * back through its puzzle's augmentation, and counted as a vote for its test
 * input. Candidates rank by votes, then by mean halting confidence; pass@k asks
 * whether the true answer is among the top k. Predictions are read on the dataset's
 * canvas (30x30 unless it was built smaller).
 */
import { type Grid, gridKey, gridToRows } from '@rrm/puzzles';
import { invertAugmentation, parseAugmentationName } from './augment.js';
import { checkArcCanvas, cropArcGrid } from './encode.js';
import { ARC_MAX_GRID, parseGrid } from './task.js';

export const DEFAULT_PASS_KS = [1, 2, 5, 10, 100, 1000];

/** test_puzzles.json: `{name: {"test": [{"input", "output"}], ...}}`. */
export type TestPuzzlesJson = Record<string, { test: Array<{ input: unknown; output?: unknown }> }>;

export interface EvaluatorBatch {
  /** [B, canvas²] input canvases as fed to the model. */
  inputs: ArrayLike<number>;
  /** [B] */
  puzzleIdentifiers: ArrayLike<number>;
  /** [B, canvas²] predicted tokens. */
  preds: ArrayLike<number>;
  /** [B] halting logits; their sigmoid is the confidence. */
  qHaltLogits: ArrayLike<number>;
}

export interface Attempts {
  attempt_1: number[][];
  attempt_2: number[][];
  [k: `attempt_${number}`]: number[][];
}

export interface ArcResult {
  /** "ARC/pass@k" -> fraction of test puzzles (each averaged over its test inputs). */
  metrics: Record<string, number>;
  /** Kaggle-style: task id -> one attempts object per test input. */
  submission: Record<string, Attempts[]>;
  /** Test inputs that received no prediction (their attempts are [[0]]). */
  missing: string[];
}

interface Candidate {
  grid: Grid;
  votes: number;
  confidence: number;
}

/** One distinct answer to a test input, as voted for by the versions of its puzzle. */
export interface RankedCandidate {
  grid: Grid;
  votes: number;
  /** Mean sigmoid(q_halt) of the predictions that voted for it. */
  meanConfidence: number;
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

export class ArcEvaluator {
  private readonly identifiers: string[];
  private readonly passKs: number[];
  private readonly submissionK: number;
  private readonly blank: number;
  private readonly canvas: number;
  private readonly tasks: Array<{
    id: string;
    test: Array<{ inputKey: string; answerKey: string | null }>;
  }>;
  /** task id -> input key -> prediction key -> candidate */
  private readonly votes = new Map<string, Map<string, Map<string, Candidate>>>();

  constructor(options: {
    identifiers: string[];
    testPuzzles: TestPuzzlesJson;
    blankIdentifierId?: number;
    passKs?: number[];
    submissionK?: number;
    /** Side of the dataset's canvas (default 30). */
    canvas?: number;
  }) {
    this.identifiers = options.identifiers;
    this.passKs = options.passKs ?? DEFAULT_PASS_KS;
    this.submissionK = options.submissionK ?? 2;
    this.blank = options.blankIdentifierId ?? 0;
    this.canvas = checkArcCanvas(options.canvas ?? ARC_MAX_GRID);
    this.tasks = Object.entries(options.testPuzzles).map(([id, task]) => ({
      id,
      test: task.test.map((pair, i) => ({
        inputKey: gridKey(
          parseGrid(pair.input, `test_puzzles.json: task ${id}, test example ${i} input`),
        ),
        answerKey:
          pair.output === undefined
            ? null
            : gridKey(
                parseGrid(pair.output, `test_puzzles.json: task ${id}, test example ${i} output`),
              ),
      })),
    }));
  }

  /** Add one batch of predictions; padding rows (blank identifier) are skipped. */
  update(batch: EvaluatorBatch): void {
    const size = batch.puzzleIdentifiers.length;
    const canvas = this.canvas;
    const seqLen = canvas * canvas;
    if (batch.inputs.length !== size * seqLen || batch.preds.length !== size * seqLen)
      throw new Error(
        `ArcEvaluator: ${size} rows came with ${batch.inputs.length} input and ${batch.preds.length} predicted tokens, expected ${size * seqLen} of each (rows of the ${canvas}x${canvas} canvas)`,
      );
    for (let b = 0; b < size; b++) {
      const identifier = batch.puzzleIdentifiers[b];
      if (identifier === this.blank) continue;
      const name = this.identifiers[identifier];
      if (name === undefined)
        throw new Error(`ArcEvaluator: puzzle identifier ${identifier} is not in identifiers.json`);
      const { id, augmentation } = parseAugmentationName(name);
      const back = (g: Grid) => (augmentation ? invertAugmentation(g, augmentation) : g);
      const row = (a: ArrayLike<number>) =>
        Array.prototype.slice.call(a, b * seqLen, (b + 1) * seqLen) as number[];
      const origin = { row: 0, col: 0 };
      const inputKey = gridKey(back(cropArcGrid(row(batch.inputs), origin, canvas)));
      const pred = back(cropArcGrid(row(batch.preds), origin, canvas));
      const predKey = gridKey(pred);
      const confidence = 1 / (1 + Math.exp(-batch.qHaltLogits[b]));
      const candidates = getOrCreate(
        getOrCreate(this.votes, id, () => new Map()),
        inputKey,
        () => new Map<string, Candidate>(),
      );
      const c = candidates.get(predKey);
      if (c) {
        c.votes++;
        c.confidence += confidence;
      } else {
        candidates.set(predKey, { grid: pred, votes: 1, confidence });
      }
    }
  }

  /**
   * Every distinct answer to test input `testIndex` of task `taskId`, best first: by votes,
   * then by mean halting confidence. Attempts 1 and 2 are the first two.
   */
  candidates(taskId: string, testIndex: number): RankedCandidate[] {
    const pair = this.tasks.find((t) => t.id === taskId)?.test[testIndex];
    if (!pair) throw new Error(`ArcEvaluator: task ${taskId} has no test example ${testIndex}`);
    return this.ranked(taskId, pair.inputKey).map(({ key: _, ...c }) => c);
  }

  private ranked(taskId: string, inputKey: string): Array<RankedCandidate & { key: string }> {
    return [...(this.votes.get(taskId)?.get(inputKey)?.entries() ?? [])]
      .map(([key, c]) => ({
        key,
        grid: c.grid,
        votes: c.votes,
        meanConfidence: c.confidence / c.votes,
      }))
      .sort((a, b) => b.votes - a.votes || b.meanConfidence - a.meanConfidence);
  }

  result(): ArcResult {
    const correct = this.passKs.map(() => 0);
    const submission: Record<string, Attempts[]> = {};
    const missing: string[] = [];
    for (const task of this.tasks) {
      submission[task.id] = [];
      const hits = this.passKs.map(() => 0);
      task.test.forEach((pair, i) => {
        const candidates = this.ranked(task.id, pair.inputKey);
        if (candidates.length === 0) missing.push(`${task.id} test ${i}`);
        this.passKs.forEach((k, j) => {
          if (candidates.slice(0, k).some((c) => c.key === pair.answerKey)) hits[j]++;
        });
        const top = candidates.slice(0, this.submissionK).map((c) => c.grid);
        const rows = top.length > 0 ? top.map(gridToRows) : [[[0]]];
        // Fewer candidates than attempts: repeat the best one, as the reference does.
        const attempts = {} as Attempts;
        for (let a = 0; a < this.submissionK; a++)
          attempts[`attempt_${a + 1}`] = rows[a] ?? rows[0];
        submission[task.id].push(attempts);
      });
      hits.forEach((h, j) => {
        correct[j] += h / task.test.length;
      });
    }
    const metrics: Record<string, number> = {};
    this.passKs.forEach((k, j) => {
      metrics[`ARC/pass@${k}`] = this.tasks.length > 0 ? correct[j] / this.tasks.length : 0;
    });
    return { metrics, submission, missing };
  }
}
