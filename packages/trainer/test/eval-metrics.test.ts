import { expect, it } from 'vitest';
import { SetEvalAccumulator } from '../src/eval-metrics.js';

it('scores each supervision step, skips unlabelled padding and records halting', () => {
  const acc = new SetEvalAccumulator(3);
  const I = -100;
  // Three sequences of 3 tokens; the third is padding (no labels).
  const labels = Int32Array.from([1, 2, 3, 4, 5, I, I, I, I]);
  const step1 = Int32Array.from([1, 0, 3, 4, 0, 9, 9, 9, 9]);
  const step2 = Int32Array.from([1, 2, 3, 4, 0, 0, 0, 0, 0]);
  const step3 = Int32Array.from([1, 2, 3, 4, 5, 0, 0, 0, 0]);
  const q = [
    Float32Array.from([-1, -1, 5]),
    Float32Array.from([2, -1, 5]),
    Float32Array.from([3, -2, 5]),
  ];
  // The model's rule (HRM's q_halt − q_continue, say) halts where q_halt alone would not.
  const h = [
    Float32Array.from([1, -1, 5]),
    Float32Array.from([-2, 1, 5]),
    Float32Array.from([4, -3, 5]),
  ];
  acc.addBatch([step1, step2, step3], { qHalt: q, haltLogit: h }, labels, 3);
  const r = acc.result();
  expect(r.count).toBe(2);
  expect(r.by_step).toEqual([
    { step: 1, accuracy: 3 / 5, exact_accuracy: 0 },
    { step: 2, accuracy: 4 / 5, exact_accuracy: 0.5 },
    { step: 3, accuracy: 1, exact_accuracy: 1 },
  ]);
  expect(r.exact_accuracy).toBe(1);
  // By the halting logits, not q_halt (which would say steps 2 and never): steps 1 and 2.
  expect(r.halting).toEqual({ mean_halt_step: 1.5, histogram: [1, 1, 0] });
  // Final q_halt: +3 for a right answer (agrees), -2 for a right answer (disagrees).
  expect(r.q_halt_accuracy).toBe(0.5);
});
