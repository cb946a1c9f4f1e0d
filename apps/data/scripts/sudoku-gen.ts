// Puzzles from a generator outside this repo, for scoring the shipped 9×9 models on
// something our own generator did not make: 64 per difficulty from the npm package
// sudoku-gen (1.0.2, MIT; it permutes a fixed set of seed boards), each checked with our
// solver to have one solution, the one sudoku-gen gives. Written once and committed, so
// the scores can be reproduced (sudoku-gen draws from Math.random):
//   pnpm exec tsx --conditions=source apps/data/scripts/sudoku-gen.ts
// then, for each difficulty D,
//   pnpm rrm-data build sudoku --csv-test docs/results/sudoku-gen/D.csv --num-aug 0 \
//     --out data/sudoku-gen/D  (a test-only dataset for rrm-eval)
import { writeFileSync } from 'node:fs';
import { SUDOKU_SHAPES, solveSudoku } from '@rrm/puzzles';
import { getSudoku } from 'sudoku-gen';

const PER_DIFFICULTY = 64;
const shape = SUDOKU_SHAPES['9x9'];
const dir = new URL('../../../docs/results/sudoku-gen/', import.meta.url);
const cells = (s: string) => Uint8Array.from(s, (ch) => (ch === '-' ? 0 : Number(ch)));

for (const difficulty of ['easy', 'medium', 'hard', 'expert'] as const) {
  const rows = new Map<string, string>();
  while (rows.size < PER_DIFFICULTY) {
    const { puzzle, solution } = getSudoku(difficulty);
    const solved = solveSudoku(cells(puzzle), shape, { limit: 2 });
    if (solved.count !== 1 || solved.solution?.join('') !== solution) {
      throw new Error(`sudoku-gen gave a puzzle without a unique solution: ${puzzle}`);
    }
    const question = puzzle.replaceAll('-', '.');
    rows.set(question, `sudoku-gen@1.0.2 ${difficulty},${question},${solution},${solved.guesses}`);
  }
  const givens = [...rows.keys()].map((q) => 81 - q.split('.').length + 1);
  writeFileSync(
    new URL(`${difficulty}.csv`, dir),
    `source,question,answer,rating\n${[...rows.values()].join('\n')}\n`,
  );
  console.log(
    `${difficulty}: ${rows.size} puzzles, ${Math.min(...givens)}–${Math.max(...givens)} givens`,
  );
}
