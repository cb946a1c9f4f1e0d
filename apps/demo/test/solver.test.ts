import { type ActModel, disposeCarry, disposeStep } from '@rrm/act';
import {
  ARC_SEQ_LEN,
  ARC_VOCAB_SIZE,
  applyAugmentation,
  arcTestVariants,
  augmentationName,
  cropArcGrid,
  encodeArcGrid,
  invertAugmentation,
  randomAugmentation,
} from '@rrm/arc';
import { referenceConfigYaml, saveCheckpoint, saveTorchCheckpoint } from '@rrm/checkpoint';
import { createHRM } from '@rrm/hrm';
import { expectFlatTensorCount } from '@rrm/layers';
import {
  decodeMaze,
  decodeSudoku,
  encodeMaze,
  encodeSudoku,
  gridKey,
  gridsEqual,
  MAZE_CHARSET,
  SUDOKU_SHAPES,
} from '@rrm/puzzles';
import { Rng } from '@rrm/random';
import { createTRM } from '@rrm/trm';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { puzzlesFromArcTask } from '../src/arc-task';
import { FIXED_SAMPLES, mazeSample, sudokuSamples } from '../src/samples';
import { loadSolver, pickCheckpointFiles } from '../src/solver';
import { arcArch, SWAP_TASK, TRM_ARCH } from './fixtures';

const SHAPE = SUDOKU_SHAPES['4x4'];
const HRM_ARCH = { ...TRM_ARCH, H_layers: 1, pos_encodings: 'rope' };

type Model = ActModel<{ seq_len: number; halt_max_steps: number }>;

/** A checkpoint as rrm-train writes one: reference names and a config with model + arch. */
function checkpointOf(model: Model, kind: 'trm' | 'hrm', arch: object) {
  return {
    config: { name: 'config.json', text: JSON.stringify({ model: kind, arch }) },
    weights: { name: 'model.safetensors', bytes: saveCheckpoint(model) },
  };
}

/**
 * The model's predicted tokens and halting heads, step by step, straight from its public
 * step API.
 */
function referenceSteps(model: Model, tokens: Uint8Array, identifier = 0) {
  const S = model.config.seq_len;
  const batch = {
    inputs: tf.tensor2d(Int32Array.from(tokens), [1, S], 'int32'),
    labels: tf.zeros([1, S], 'int32') as tf.Tensor2D,
    puzzle_identifiers: tf.tensor1d([identifier], 'int32'),
  };
  let carry = model.initialCarry(1);
  const out: Array<{ tokens: Int32Array; qHalt: number; qContinue: number }> = [];
  for (let k = 0; k < model.config.halt_max_steps; k++) {
    const r = model.step(carry, batch, { train: false });
    carry = r.carry;
    out.push({
      tokens: tf.tidy(() => tf.argMax(r.outputs.logits, -1)).dataSync() as Int32Array,
      qHalt: r.outputs.qHalt.dataSync()[0],
      qContinue: r.outputs.qContinue.dataSync()[0],
    });
    disposeStep(r);
  }
  disposeCarry(carry);
  tf.dispose(Object.values(batch));
  return out;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe.each([
  ['trm', TRM_ARCH, createTRM],
  ['hrm', HRM_ARCH, createHRM],
] as const)('a %s checkpoint', (kind, arch, create) => {
  it('gives, step by step, the answers of the model it was saved from', async () => {
    const model = create({ ...arch, batch_size: 1 }, { seed: 7 }) as unknown as Model;
    const ckpt = checkpointOf(model, kind, arch);
    const solver = await loadSolver(ckpt.config, ckpt.weights);
    const [puzzle] = sudokuSamples(SHAPE, 0, 1);

    const trace = await solver.solve(puzzle);
    const expected = referenceSteps(model, encodeSudoku(puzzle.input.data));
    expect(trace.steps.map((s) => Array.from(s.answer.data))).toEqual(
      expected.map((t) => Array.from(decodeSudoku(t.tokens, SHAPE))),
    );
    // Each model's own halting rule: TRM stops on q_halt > 0, HRM on q_halt > q_continue.
    const logits = expected.map((t) => (kind === 'trm' ? t.qHalt : t.qHalt - t.qContinue));
    for (const [i, s] of trace.steps.entries()) expect(s.haltLogit).toBeCloseTo(logits[i], 5);
    expect(trace.haltRule).toBe(kind === 'trm' ? 'q_halt > 0' : 'q_halt > q_continue');
    expect(solver.sudoku).toEqual({ shape: SHAPE, minGivens: 0 });
    expect(solver.summary).toBe(`${kind.toUpperCase()} · hidden 16 · 3 steps · sudoku`);

    await expectFlatTensorCount(async () => {
      await solver.solve(puzzle);
    }, 3);
    solver.dispose();
    model.dispose();
  });
});

describe('an ARC checkpoint', () => {
  it('answers an ARC test input with the grid cropped from its 30×30 canvas', async () => {
    const arch = {
      ...TRM_ARCH,
      seq_len: ARC_SEQ_LEN,
      vocab_size: ARC_VOCAB_SIZE,
      hidden_size: 8,
      H_cycles: 1,
      L_cycles: 1,
      num_heads: 1,
      // One short step: the 900-token canvas is slow on the cpu backend.
      halt_max_steps: 1,
    };
    const model = createTRM(arch, { seed: 3 }) as unknown as Model;
    const ckpt = checkpointOf(model, 'trm', arch);
    const solver = await loadSolver(ckpt.config, ckpt.weights);
    const task = FIXED_SAMPLES.find((p) => p.kind === 'arc')!;
    expect(solver.cannotSolve(task)).toBeNull();
    expect(solver.sudoku).toBeNull();

    const trace = await solver.solve(task);
    const expected = referenceSteps(model, encodeArcGrid(task.input)).map((t) =>
      cropArcGrid(t.tokens),
    );
    expect(trace.steps.map((s) => s.answer)).toEqual(expected);
    solver.dispose();
    model.dispose();
  });

  describe('on a 6×6 canvas, with puzzle embeddings', () => {
    const CANVAS = 6;
    const arch = arcArch(4);
    const [puzzle] = puzzlesFromArcTask(JSON.stringify(SWAP_TASK), 'swap.json');
    const aug = randomAugmentation(new Rng(4));
    const identifiers = ['<blank>', 'other', 'swap', augmentationName('swap', aug)];
    const idsFile = (v: unknown) => ({ name: 'identifiers.json', text: JSON.stringify(v) });
    let model: Model;
    let ckpt: ReturnType<typeof checkpointOf>;
    beforeAll(() => {
      model = createTRM({ ...arch, batch_size: 1 }, { seed: 11 }) as unknown as Model;
      ckpt = checkpointOf(model, 'trm', arch);
    });

    /** The votes for each distinct answer, from each version run on its own. */
    function tally(versions: Array<{ augmentation: typeof aug; identifier: number }>) {
      const votes = new Map<string, number>();
      for (const v of versions) {
        const tokens = encodeArcGrid(
          applyAugmentation(puzzle.input, v.augmentation),
          undefined,
          CANVAS,
        );
        const last = referenceSteps(model, tokens, v.identifier).at(-1)!;
        const key = gridKey(
          invertAugmentation(cropArcGrid(last.tokens, undefined, CANVAS), v.augmentation),
        );
        votes.set(key, (votes.get(key) ?? 0) + 1);
      }
      return votes;
    }

    it('answers the task and its augmentations, and shows the two answers with most votes', async () => {
      const solver = await loadSolver(ckpt.config, ckpt.weights);
      expect(solver.summary).toBe('TRM · hidden 16 · 2 steps · arc');
      const trace = await solver.solve(puzzle);
      // Step by step: the task as given, under the blank identifier.
      const asGiven = referenceSteps(model, encodeArcGrid(puzzle.input, undefined, CANVAS));
      expect(trace.steps.map((s) => s.answer)).toEqual(
        asGiven.map((t) => cropArcGrid(t.tokens, undefined, CANVAS)),
      );
      const { variants } = arcTestVariants(puzzle.arc!.task, { numAug: 8, seed: 0 });
      expect(trace.attempts).toMatchObject({ versions: variants.length, learned: false });
      const votes = tally(variants);
      const counts = [...votes.values()].sort((a, b) => b - a);
      const best = trace.attempts!.best;
      expect(best.map((c) => c.votes)).toEqual(counts.slice(0, 2));
      for (const c of best) expect(votes.get(gridKey(c.grid))).toBe(c.votes);
      if (best.length === 2) expect(gridsEqual(best[0].grid, best[1].grid)).toBe(false);
      await expectFlatTensorCount(async () => {
        await solver.solve(puzzle);
      }, 3);
      solver.dispose();
    });

    it("with its data's identifiers.json, runs the versions it was trained on, with their embeddings", async () => {
      const solver = await loadSolver(ckpt.config, ckpt.weights, idsFile(identifiers));
      const { attempts } = await solver.solve(puzzle);
      expect(attempts).toMatchObject({ versions: 2, learned: true });
      const votes = tally([
        {
          augmentation: { transform: 0, colours: Uint8Array.from({ length: 10 }, (_, i) => i) },
          identifier: 2,
        },
        { augmentation: aug, identifier: 3 },
      ]);
      expect(attempts!.best.map((c) => votes.get(gridKey(c.grid)))).toEqual(
        attempts!.best.map((c) => c.votes),
      );
      solver.dispose();
    });

    it.each([
      [
        ['<blank>', 'swap'],
        'identifiers.json: 2 puzzle names, but the model has 4 puzzle embeddings (pick the identifiers.json of the data it was trained on)',
      ],
      [{ swap: 1 }, 'identifiers.json: expected a JSON array of puzzle names'],
      [
        ['<blank>', 'a', 'b|||t9|||0123456789', 'c'],
        /^identifiers\.json: entry 2: puzzle name "b\|\|\|t9/,
      ],
    ])('names identifiers.json and what is wrong with it %#', async (value, message) => {
      await expect(loadSolver(ckpt.config, ckpt.weights, idsFile(value))).rejects.toThrow(message);
    });

    it('says when a test input does not fit its canvas', async () => {
      const solver = await loadSolver(ckpt.config, ckpt.weights);
      const [wide] = puzzlesFromArcTask(
        JSON.stringify({ ...SWAP_TASK, test: [{ input: [[1, 2, 3, 4, 5, 6, 7]] }] }),
        'wide.json',
      );
      expect(solver.cannotSolve(wide)).toBe('the 1×7 test input does not fit its 6×6 canvas');
      solver.dispose();
    });
  });
});

describe('a grid-mixing maze checkpoint', () => {
  it('solves mazes of any size with the same weights; an attention one only its own size', async () => {
    const arch = {
      ...TRM_ARCH,
      seq_len: 25,
      vocab_size: MAZE_CHARSET.length + 1,
      hidden_size: 8,
      grid_mix: true,
      pos_encodings: 'none',
      halt_max_steps: 2,
    };
    const model = createTRM(arch, { seed: 5 }) as unknown as Model;
    const ckpt = checkpointOf(model, 'trm', arch);
    const solver = await loadSolver(ckpt.config, ckpt.weights);
    expect(solver.summary).toBe('TRM · hidden 8 · 2 steps · maze of any size');
    const maze = mazeSample(3, 7);
    expect(solver.cannotSolve(maze)).toBeNull();
    const trace = await solver.solve(maze);
    // Built at 7×7 from the same seed, the model has the same weights.
    const at7 = createTRM({ ...arch, seq_len: 49 }, { seed: 5 }) as unknown as Model;
    const mazeText = Array.from(maze.input.data, (v) => MAZE_CHARSET[v]).join('');
    const expected = referenceSteps(at7, encodeMaze(mazeText));
    expect(trace.steps.map((s) => Array.from(s.answer.data))).toEqual(
      expected.map((t) => Array.from(decodeMaze(t.tokens), (ch) => MAZE_CHARSET.indexOf(ch))),
    );
    await expectFlatTensorCount(async () => {
      await solver.solve(maze);
    }, 2);
    solver.dispose();
    model.dispose();
    at7.dispose();

    const attending = { ...arch, grid_mix: false, pos_encodings: 'learned' };
    const other = createTRM(attending, { seed: 5 }) as unknown as Model;
    const otherCkpt = checkpointOf(other, 'trm', attending);
    const fixed = await loadSolver(otherCkpt.config, otherCkpt.weights);
    expect(fixed.cannotSolve(maze)).toBe('it was trained on 5×5 mazes');
    fixed.dispose();
    other.dispose();
  });
});

describe('loading a checkpoint', () => {
  let good: ReturnType<typeof checkpointOf>;
  beforeAll(() => {
    const model = createTRM(TRM_ARCH, { seed: 1 }) as unknown as Model;
    good = checkpointOf(model, 'trm', TRM_ARCH);
    model.dispose();
  });

  it('says which puzzles it cannot solve, and why', async () => {
    const solver = await loadSolver(good.config, good.weights);
    const [sixBySix] = sudokuSamples(SUDOKU_SHAPES['6x6'], 0, 1);
    const arc = FIXED_SAMPLES.find((p) => p.kind === 'arc')!;
    expect(solver.cannotSolve(sixBySix)).toBe('it was trained on 4×4 Sudoku');
    expect(solver.cannotSolve(arc)).toBe('it was trained on sudoku puzzles');
    await expect(solver.solve(arc)).rejects.toThrow(
      /cannot solve ARC 00576224: it was trained on sudoku/,
    );
    solver.dispose();
  });

  it('offers samples like its training data: same shape, same floor on givens', async () => {
    const text = JSON.stringify({
      model: 'trm',
      arch: TRM_ARCH,
      build_data: { kind: 'sudoku', min_givens: 7 },
    });
    const solver = await loadSolver({ name: 'config.json', text }, good.weights);
    expect(solver.sudoku).toEqual({ shape: SHAPE, minGivens: 7 });
    solver.dispose();
  });

  it.each([
    ['{"model": "trm", ', /^config\.json: not valid JSON/],
    [
      '{"model": "gpt", "arch": {}}',
      'config.json: field "model" must be "trm" or "hrm", got "gpt"',
    ],
    ['{"model": "trm"}', 'config.json: missing the "arch" object'],
    [
      JSON.stringify({ model: 'trm', arch: { ...TRM_ARCH, hidden_size: 'big' } }),
      /^config\.json: .*"hidden_size"/,
    ],
  ])('names the file and field of a bad config %#', async (text, message) => {
    await expect(loadSolver({ name: 'config.json', text }, good.weights)).rejects.toThrow(message);
  });

  it('says in one line when the weights are for another task than the config', async () => {
    const sixBySix = { ...TRM_ARCH, seq_len: 36, vocab_size: 8 };
    const model = createTRM(sixBySix, { seed: 2 }) as unknown as Model;
    const weights = checkpointOf(model, 'trm', sixBySix).weights;
    model.dispose();
    await expect(loadSolver(good.config, weights)).rejects.toThrow(
      /^model\.safetensors holds weights for 6×6 Sudoku \(sequence length 36, vocabulary 8\), but config\.json describes 4×4 Sudoku \(sequence length 16, vocabulary 6\)$/,
    );
  });

  it('names the file and tensor when the weights do not fit the config', async () => {
    const wider = { ...TRM_ARCH, hidden_size: 32 };
    const config = { name: 'config.json', text: JSON.stringify({ model: 'trm', arch: wider }) };
    await expect(loadSolver(config, good.weights)).rejects.toThrow(
      /^model\.safetensors \(prefix "_orig_mod\.model\."\): checkpoint does not match the model:\n.*mis-shaped: inner\./,
    );
    const junk = { name: 'junk.safetensors', bytes: new Uint8Array([1, 2, 3]) };
    await expect(loadSolver(good.config, junk)).rejects.toThrow(/junk\.safetensors/);
  });
});

describe('a reference PyTorch checkpoint', () => {
  it('step_N with all_config.yaml answers as the same weights in safetensors do', async () => {
    // RoPE: the sequence length comes from the vocabulary's encoding (4×4 Sudoku).
    const model = createHRM({ ...HRM_ARCH, batch_size: 1 }, { seed: 5 }) as unknown as Model;
    const { seq_len, vocab_size, num_puzzle_identifiers, batch_size, ...arch } = HRM_ARCH;
    const yaml = referenceConfigYaml({
      model: 'hrm',
      arch,
      loss_type: 'stablemax_cross_entropy',
      train: {},
      evaluators: [],
    });
    const torch = await loadSolver(
      { name: 'all_config.yaml', text: yaml },
      { name: 'step_9', bytes: saveTorchCheckpoint(model, 'step_9') },
    );
    const rrm = checkpointOf(model, 'hrm', HRM_ARCH);
    const safetensors = await loadSolver(rrm.config, rrm.weights);
    const [puzzle] = sudokuSamples(SHAPE, 0, 1);
    expect((await torch.solve(puzzle)).steps).toEqual((await safetensors.solve(puzzle)).steps);
    expect(torch.summary).toBe('HRM · hidden 16 · 3 steps · sudoku');
    torch.dispose();
    safetensors.dispose();
    model.dispose();
  });

  it("picks the config and the newest step_N among a run folder's files", () => {
    const files = ['step_2', 'all_config.yaml', 'step_10', 'step_9'].map((name) => ({ name }));
    expect(pickCheckpointFiles(files)).toEqual({
      config: { name: 'all_config.yaml' },
      weights: { name: 'step_10' },
    });
    expect(
      pickCheckpointFiles([{ name: 'model.safetensors' }, { name: 'config.json' }]).weights,
    ).toEqual({ name: 'model.safetensors' });
    expect(() => pickCheckpointFiles([{ name: 'step_3' }])).toThrow(/select a checkpoint's files/);
    // The training data's identifiers.json is never taken for the config.
    const withIds = ['identifiers.json', 'model.safetensors', 'config.json'].map((name) => ({
      name,
    }));
    expect(pickCheckpointFiles(withIds)).toEqual({
      config: { name: 'config.json' },
      weights: { name: 'model.safetensors' },
      identifiers: { name: 'identifiers.json' },
    });
  });
});
