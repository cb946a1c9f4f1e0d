// Mazes from a generator outside this repo, for scoring maze models on something our own
// generator did not make: the npm package generate-maze (1.1.0, MIT) carves with Eller's
// algorithm, row by row, which leaves many short dead ends where our depth-first carver
// leaves long corridors. Its rooms become the odd cells of the reference block layout
// (2·rooms + 1 cells a side; 30×30 keeps a last wall row and column, as our 30×30 does).
// Start and goal are placed as our generator places them (`placeStartAndGoal`): the start
// among the cells farthest from a random one, the goal at least `minPath` steps away (a
// maze without such a pair is skipped). Seeded, so the files can be rewritten exactly:
//   pnpm exec tsx --conditions=source apps/data/scripts/maze-gen.ts
// then, for each size N,
//   pnpm rrm-data build maze --csv-test docs/results/maze-gen/N.csv --num-aug 0 \
//     --out data/maze-gen/N  (a test-only dataset for rrm-eval)
import { mkdirSync, writeFileSync } from 'node:fs';
import { mazeDistances, placeStartAndGoal } from '@rrm/puzzles';
import { Rng } from '@rrm/random';
import generate from 'generate-maze';

const PER_SIZE = 100;
const dir = new URL('../../../docs/results/maze-gen/', import.meta.url);

/** generate-maze's rooms as block text: walls '#', open ' ', `size` cells a side. */
function blocks(rooms: ReturnType<typeof generate>, size: number): string[] {
  const cells = new Array<string>(size * size).fill('#');
  for (const row of rooms) {
    for (const { x, y, right, bottom } of row) {
      const at = (r: number, c: number) => r * size + c;
      cells[at(2 * y + 1, 2 * x + 1)] = ' ';
      if (!right && x + 1 < row.length) cells[at(2 * y + 1, 2 * x + 2)] = ' ';
      if (!bottom && y + 1 < rooms.length) cells[at(2 * y + 2, 2 * x + 1)] = ' ';
    }
  }
  return cells;
}

mkdirSync(dir, { recursive: true });
for (const [size, minPath] of [
  [15, 40],
  [30, 120],
] as const) {
  const rooms = Math.floor((size - 1) / 2);
  const rng = new Rng(size);
  const rows: string[] = [];
  for (let seed = 1; rows.length < PER_SIZE; seed++) {
    const cells = blocks(generate(rooms, rooms, true, seed), size);
    const open = cells.flatMap((ch, i) => (ch === '#' ? [] : [i]));
    const { dist } = mazeDistances(cells.join(''), size, open[0]);
    if (open.some((i) => dist[i] < 0)) throw new Error(`generate-maze seed ${seed}: disconnected`);
    const maze = placeStartAndGoal(cells, size, rng, minPath);
    if (!maze) continue; // no two cells minPath steps apart: the next seed
    const steps = [...maze.answer].filter((ch) => ch === 'o').length + 1;
    rows.push(`generate-maze@1.1.0 seed ${seed},${maze.question},${maze.answer},${steps}`);
  }
  writeFileSync(new URL(`${size}.csv`, dir), `source,question,answer,rating\n${rows.join('\n')}\n`);
  const lengths = rows.map((r) => Number(r.split(',')[3]));
  console.log(
    `${size}×${size}: ${rows.length} mazes, shortest path ${Math.min(...lengths)}–${Math.max(...lengths)} steps (mean ${(lengths.reduce((a, b) => a + b, 0) / lengths.length).toFixed(1)})`,
  );
}
