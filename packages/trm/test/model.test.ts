import '@tensorflow/tfjs-backend-cpu';
import { type ActBatch, type ActCarry, disposeCarry, disposeStep } from '@rrm/act';
import { expectFlatTensorCount } from '@rrm/layers';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTRM, type TRM } from '../src';
import { tiny } from './tiny';

let batch: ActBatch;

beforeAll(async () => {
  await tf.setBackend('cpu');
  batch = {
    inputs: tf.tensor2d([1, 2, 3, 4, 0, 0, 4, 3, 2, 1, 1, 2, 2, 2, 2, 2, 2, 2], [3, 6], 'int32'),
    labels: tf.tensor2d(
      [1, 2, 3, 4, -100, -100, 4, 3, 2, 1, 1, 2, 2, 2, 2, 2, 2, 2],
      [3, 6],
      'int32',
    ),
    puzzle_identifiers: tf.tensor1d([0, 3, 1], 'int32'),
  };
});

afterAll(() => {
  tf.dispose([batch.inputs, batch.labels, batch.puzzle_identifiers]);
});

describe('createTRM', () => {
  it('initialises as the reference does, reproducibly from the seed', () => {
    const a = createTRM(tiny, { seed: 7 });
    const b = createTRM(tiny, { seed: 7 });
    const c = createTRM(tiny, { seed: 8 });
    const named = a.stateDict();
    expect(Array.from(named.get('inner.q_head.weight')!.dataSync()).every((v) => v === 0)).toBe(
      true,
    );
    expect(Array.from(named.get('inner.q_head.bias')!.dataSync())).toEqual([-5, -5]);
    expect(
      Array.from(named.get('inner.puzzle_emb.weights')!.dataSync()).every((v) => v === 0),
    ).toBe(true);
    expect(named.get('inner.puzzle_emb.weights')!.trainable).toBe(false);
    expect(named.get('inner.H_init')!.trainable).toBe(false);
    const weight = (m: typeof a) =>
      m.stateDict().get('inner.L_level.layers.0.mlp.down_proj.weight')!;
    expect(weight(a).dataSync()).toEqual(weight(b).dataSync());
    expect(weight(a).dataSync()).not.toEqual(weight(c).dataSync());
    for (const m of [a, b, c]) m.dispose();
  });
});

describe('supervision steps', () => {
  it('evaluation runs every sequence exactly halt_max_steps steps', () => {
    const model = createTRM({ ...tiny, halt_exploration_prob: 0.5 }, { seed: 1 });
    let carry = model.initialCarry(3);
    for (let k = 1; k <= 3; k++) {
      const r = model.step(carry, batch, { train: false });
      carry = r.carry;
      expect(r.outputs.logits.shape).toEqual([3, 6, 5]);
      expect(Array.from(carry.steps.dataSync())).toEqual([k, k, k]);
      expect(Array.from(carry.halted.dataSync())).toEqual(k === 3 ? [1, 1, 1] : [0, 0, 0]);
      disposeStep(r);
    }
    disposeCarry(carry);
    model.dispose();
  });

  it('halts a sequence once q_halt > 0 in training, then restarts it on new data', () => {
    const model = createTRM(tiny, { seed: 1 });
    // Make q_halt = 5 for every sequence: all halt after their first step.
    model
      .stateDict()
      .get('inner.q_head.bias')!
      .assign(tf.tensor1d([5, -5]));
    let carry = model.initialCarry(3);
    for (let k = 0; k < 2; k++) {
      const r = model.stepWithGrads(carry, batch);
      carry = r.carry;
      expect(Array.from(carry.halted.dataSync())).toEqual([1, 1, 1]);
      expect(Array.from(carry.steps.dataSync())).toEqual([1, 1, 1]);
      expect(r.metrics.count).toBe(3);
      expect(r.metrics.steps).toBe(3);
      disposeStep(r);
    }
    disposeCarry(carry);
    model.dispose();
  });

  it('explores reproducibly: the same seed draws the same minimum steps', () => {
    const run = () => {
      const model = createTRM({ ...tiny, halt_exploration_prob: 1 }, { seed: 3 });
      model
        .stateDict()
        .get('inner.q_head.bias')!
        .assign(tf.tensor1d([5, -5]));
      let carry: ActCarry = model.initialCarry(3);
      const steps: number[][] = [];
      for (let k = 0; k < 6; k++) {
        const r = model.step(carry, batch, { train: true });
        carry = r.carry;
        steps.push(Array.from(carry.steps.dataSync()));
        disposeStep(r);
      }
      disposeCarry(carry);
      model.dispose();
      return steps;
    };
    const first = run();
    expect(run()).toEqual(first);
    // With exploration always on, nobody halts before step 2 despite q_halt > 0.
    expect(first[0]).toEqual([1, 1, 1]);
    expect(first.flat().some((s) => s > 1)).toBe(true);
  });

  it('rejects a batch that does not fit the config, naming the tensor', () => {
    const model = createTRM(tiny, { seed: 2 });
    const carry = model.initialCarry(3);
    const short = tf.zeros([3, 5], 'int32') as tf.Tensor2D;
    expect(() => model.step(carry, { ...batch, inputs: short }, { train: false })).toThrow(
      /batch\.inputs must be int32 \[3, 6\] \(seq_len 6\), got int32 \[3, 5\]/,
    );
    const floats = tf.zeros([3]) as tf.Tensor1D;
    expect(() => model.stepWithGrads(carry, { ...batch, puzzle_identifiers: floats })).toThrow(
      /batch\.puzzle_identifiers must be int32 \[3\] \(seq_len 6\), got float32 \[3\]/,
    );
    tf.dispose([short, floats]);
    disposeCarry(carry);
    model.dispose();
  });

  it('returns gradients for every trainable parameter and the batch puzzle rows', () => {
    const model = createTRM(tiny, { seed: 2 });
    const r = model.stepWithGrads(model.initialCarry(3), batch);
    const params = model.namedParameters();
    expect(r.grads.length).toBe(params.length);
    expect(r.grads.map((g) => g.shape)).toEqual(params.map(([, v]) => v.shape));
    expect(r.puzzleEmbGrad!.grad.shape).toEqual([3, 12]);
    expect(Array.from(r.puzzleEmbGrad!.ids.dataSync())).toEqual([0, 3, 1]);
    expect(r.losses.loss).toBeCloseTo(r.losses.lm_loss + 0.5 * r.losses.q_halt_loss, 5);
    expect(r.losses.q_continue_loss).toBe(0);
    expect(r.outputs.targetQContinue).toBeUndefined();
    disposeStep(r);
    disposeCarry(r.carry);
    model.dispose();
  });

  /** `steps` supervision steps, each disposing what it does not carry on. */
  async function expectFlat(model: TRM, mode: 'train' | 'eval', steps: number, carry: ActCarry) {
    let c = carry;
    await expectFlatTensorCount(() => {
      const r =
        mode === 'train' ? model.stepWithGrads(c, batch) : model.step(c, batch, { train: false });
      c = r.carry;
      disposeStep(r);
    }, steps);
    return c;
  }

  it('keeps live tensors flat over 50 steps in train and in eval mode', async () => {
    // Few ops per step: on the cpu backend a tiny model's step time is per-op overhead.
    const small = { ...tiny, L_cycles: 1, halt_max_steps: 2, halt_exploration_prob: 0.3 };
    const model = createTRM(small, { seed: 4 });
    const carry = await expectFlat(model, 'train', 50, model.initialCarry(3));
    disposeCarry(await expectFlat(model, 'eval', 50, carry));
    model.dispose();
  });

  it('keeps live tensors flat with the token-mixing MLP too', async () => {
    const model = createTRM(
      { ...tiny, mlp_t: true, pos_encodings: 'none', L_cycles: 1 },
      { seed: 4 },
    );
    disposeCarry(await expectFlat(model, 'train', 5, model.initialCarry(3)));
    model.dispose();
  });

  // grid_mix on a 2×2 board, sudoku_mix on a 4×4 one, each after 2 puzzle-embedding positions.
  it.each([
    ['grid_mix', 4],
    ['sudoku_mix', 16],
  ] as const)(
    'mixes cells by %s (no attention), with gradients and flat tensors',
    async (mixer, seq_len) => {
      const cfg = { ...tiny, seq_len, [mixer]: true, pos_encodings: 'none', L_cycles: 1 };
      const model = createTRM(cfg, { seed: 5 });
      const names = model.namedParameters().map(([n]) => n);
      expect(names).toContain(`inner.L_level.layers.0.${mixer}.proj.weight`);
      expect(names.some((n) => n.includes('self_attn') || n.includes('mlp_t'))).toBe(false);
      const cells = Array.from({ length: 3 * seq_len }, (_, i) => 1 + ((i * 7) % 4));
      const board: ActBatch = {
        inputs: tf.tensor2d(cells, [3, seq_len], 'int32'),
        labels: tf.tensor2d(cells, [3, seq_len], 'int32'),
        puzzle_identifiers: tf.tensor1d([0, 3, 1], 'int32'),
      };
      const r = model.stepWithGrads(model.initialCarry(3), board);
      const proj = names.indexOf(`inner.L_level.layers.0.${mixer}.proj.weight`);
      expect(tf.max(tf.abs(r.grads[proj])).dataSync()[0]).toBeGreaterThan(0);
      disposeStep(r);
      let c = r.carry;
      await expectFlatTensorCount(() => {
        const s = model.stepWithGrads(c, board);
        c = s.carry;
        disposeStep(s);
      }, 5);
      disposeCarry(c);
      tf.dispose([board.inputs, board.labels, board.puzzle_identifiers]);
      model.dispose();
    },
  );
});
