import { readFileSync } from 'node:fs';
import { gridsEqual } from '@rrm/puzzles';
import { describe, expect, it } from 'vitest';
import { FIXED_SAMPLES, sudokuSamples } from '../src/samples';
import { CHECKPOINT_DIR, loadShippedSolver } from './node-model';

describe('the sample the page opens with', () => {
  it('is the first, in the order the page lists them, that the shipped checkpoint solves', async () => {
    const about = JSON.parse(readFileSync(`${CHECKPOINT_DIR}about.json`, 'utf8'));
    const solver = await loadShippedSolver();
    const { shape, minGivens } = solver.sudoku!;
    // The page's list for this checkpoint (useSolver in main.ts), solved in order until
    // one is right after the last of halt_max_steps, the step the page animates to.
    let first: string | undefined;
    for (const p of [...sudokuSamples(shape, minGivens), ...FIXED_SAMPLES]) {
      if (solver.cannotSolve(p) !== null || !p.solution) continue;
      const { steps } = await solver.solve(p);
      if (gridsEqual(steps[steps.length - 1].answer, p.solution)) {
        first = p.id;
        break;
      }
    }
    solver.dispose();
    expect(first, 'no listed sample is solved: about.json cannot name one').toBeDefined();
    expect(about.first_sample, `write "first_sample": "${first}" in about.json`).toBe(first);
  });
});
