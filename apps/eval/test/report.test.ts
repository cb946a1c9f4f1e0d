import { expect, it } from 'vitest';
import { formatReport } from '../src/report.js';

it('prints the per-set table, the accuracy after each step and evaluator metrics', () => {
  const text = formatReport({
    checkpoint: 'runs/x/checkpoints/step_00000100',
    step: 100,
    dataset: 'data/sudoku-4x4',
    backend: 'cpu',
    result: {
      wall_s: 1.25,
      metrics: { 'ARC/pass@2': 0.5 },
      sets: {
        all: {
          count: 4,
          accuracy: 0.9375,
          exact_accuracy: 0.75,
          q_halt_accuracy: 1,
          by_step: [
            { step: 1, accuracy: 0.5, exact_accuracy: 0.25 },
            { step: 2, accuracy: 0.9375, exact_accuracy: 0.75 },
          ],
          halting: { mean_halt_step: 1.5, histogram: [2, 2] },
        },
      },
    },
  });
  const lines = text.split('\n');
  expect(lines[0]).toBe('checkpoint runs/x/checkpoints/step_00000100 (step 100)');
  expect(text).toMatch(/^all\s+4\s+75\.0%\s+93\.8%\s+100\.0%\s+1\.50$/m);
  expect(text).toMatch(/^exact\s+25\.0%\s+75\.0%$/m);
  expect(text).toMatch(/^halts here\s+2\s+2$/m);
  expect(text).toMatch(/^ARC\/pass@2\s+50\.0%$/m);
});
