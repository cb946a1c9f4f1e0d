/**
 * Mazes as in the reference: an N x N text over the charset `# SGo` (wall, open,
 * start, goal, path), tokens 1..5 with 0 as pad. The question has `# SG`; the
 * answer also marks one shortest path from S to G with 'o'.
 */
import type { Rng } from '@rrm/random';
import { PuzzleOptionError } from './errors.js';
import { dihedral, makeGrid } from './grid.js';
import { DatasetError } from './metadata.js';

export const MAZE_CHARSET = '# SGo';
const WALL = '#';

export interface Maze {
  size: number;
  /** size*size characters of `# SG`. */
  question: string;
  /** The question with a shortest S->G path marked 'o'. */
  answer: string;
}

export function encodeMaze(text: string): Uint8Array {
  return Uint8Array.from(text, (ch, i) => {
    const id = MAZE_CHARSET.indexOf(ch);
    if (id < 0)
      throw new Error(
        `encodeMaze: character ${JSON.stringify(ch)} at ${i} is not in "${MAZE_CHARSET}"`,
      );
    return id + 1;
  });
}

/** Tokens back to text; pad (0) reads as a wall. */
export function decodeMaze(tokens: ArrayLike<number>): string {
  return Array.from(tokens, (t, i) => {
    if (t < 0 || t > MAZE_CHARSET.length)
      throw new Error(`decodeMaze: token ${t} at ${i} is outside 0..${MAZE_CHARSET.length}`);
    return t === 0 ? WALL : MAZE_CHARSET[t - 1];
  }).join('');
}

export function formatMaze(text: string, size: number): string {
  return Array.from({ length: size }, (_, r) => text.slice(r * size, (r + 1) * size)).join('\n');
}

/** BFS distances from `start` over non-wall cells (-1 = unreachable) and each cell's predecessor. */
export function mazeDistances(
  text: string,
  size: number,
  start: number,
): { dist: Int32Array; prev: Int32Array } {
  const dist = new Int32Array(size * size).fill(-1);
  const prev = new Int32Array(size * size).fill(-1);
  const queue = new Int32Array(size * size);
  let head = 0;
  let tail = 0;
  dist[start] = 0;
  queue[tail++] = start;
  while (head < tail) {
    const cell = queue[head++];
    const r = Math.floor(cell / size);
    const c = cell % size;
    for (const [dr, dc] of [
      [-1, 0],
      [1, 0],
      [0, -1],
      [0, 1],
    ]) {
      const nr = r + dr;
      const nc = c + dc;
      if (nr < 0 || nc < 0 || nr >= size || nc >= size) continue;
      const next = nr * size + nc;
      if (dist[next] >= 0 || text[next] === WALL) continue;
      dist[next] = dist[cell] + 1;
      prev[next] = cell;
      queue[tail++] = next;
    }
  }
  return { dist, prev };
}

export interface MazeOptions {
  /** Side length (default 30). */
  size?: number;
  /** Only accept start/goal pairs at least this many steps apart ("hard" mazes). */
  minPathLength?: number;
  /**
   * Share of inner walls knocked out after carving, so that routes can differ (default 0.05);
   * 0 leaves the carved tree: loop-free, one path between any two cells.
   */
  loopFraction?: number;
  /** Mazes tried before giving up on minPathLength (default 50). */
  maxAttempts?: number;
  /**
   * How the spanning tree is carved (default 'backtrack'): 'backtrack' (randomised
   * depth-first search: long corridors, few branches), 'prim' (randomised Prim: many short
   * dead ends), or 'mixed' (each maze draws one of the two). A model trained on one kind
   * alone meets only that texture.
   */
  carver?: MazeCarver;
}

export const MAZE_CARVERS = ['backtrack', 'prim', 'mixed'] as const;
export type MazeCarver = (typeof MAZE_CARVERS)[number];

/**
 * Carve a random spanning tree over the odd cells (the rooms). Both carvers grow the tree
 * from a random room by opening the wall to an unvisited neighbour of a tree room: the
 * backtracker always from the newest room (randomised depth-first search), Prim from a
 * random room of the tree's frontier.
 */
function carve(size: number, rng: Rng, loopFraction: number, prim: boolean): string[] {
  const cells = new Array<string>(size * size).fill(WALL);
  const rooms = Math.floor((size - 1) / 2);
  const at = (i: number, j: number) => (2 * i + 1) * size + (2 * j + 1);
  const seen = new Uint8Array(rooms * rooms);
  const active = [rng.int(rooms * rooms)];
  seen[active[0]] = 1;
  cells[at(Math.floor(active[0] / rooms), active[0] % rooms)] = ' ';
  while (active.length > 0) {
    const k = prim ? rng.int(active.length) : active.length - 1;
    const room = active[k];
    const i = Math.floor(room / rooms);
    const j = room % rooms;
    const options = [
      [i - 1, j],
      [i + 1, j],
      [i, j - 1],
      [i, j + 1],
    ].filter(([a, b]) => a >= 0 && b >= 0 && a < rooms && b < rooms && !seen[a * rooms + b]);
    if (options.length === 0) {
      // A room with no unvisited neighbour leaves the frontier (order does not matter to Prim).
      active[k] = active[active.length - 1];
      active.pop();
      continue;
    }
    const [a, b] = options[rng.int(options.length)];
    seen[a * rooms + b] = 1;
    cells[at(a, b)] = ' ';
    cells[(i + a + 1) * size + (j + b + 1)] = ' ';
    active.push(a * rooms + b);
  }
  // Knocking out walls that sit between two open cells adds loops.
  for (let r = 1; r < 2 * rooms; r++) {
    for (let c = 1; c < 2 * rooms; c++) {
      if (cells[r * size + c] !== WALL || (r % 2 === 1) === (c % 2 === 1)) continue;
      if (rng.uniform() < loopFraction) cells[r * size + c] = ' ';
    }
  }
  return cells;
}

/**
 * A maze from carved cells (walls '#', open ' '): start and goal drawn on open cells at
 * least `minPath` steps apart, the answer marking the shortest path between them with
 * 'o'. Long paths start far out: with minPath > 1 the start is drawn among the cells
 * farthest from a random one. Null when no goal is that far from the start.
 */
export function placeStartAndGoal(
  cells: readonly string[],
  size: number,
  rng: Rng,
  minPath: number,
): Maze | null {
  const open = cells.flatMap((ch, i) => (ch === WALL ? [] : [i]));
  const text = cells.join('');
  let start = open[rng.int(open.length)];
  if (minPath > 1) {
    const { dist } = mazeDistances(text, size, start);
    const far = Math.max(...open.map((i) => dist[i]));
    const outer = open.filter((i) => dist[i] >= 0.8 * far);
    start = outer[rng.int(outer.length)];
  }
  const { dist, prev } = mazeDistances(text, size, start);
  const goals = open.filter((i) => dist[i] >= minPath);
  if (goals.length === 0) return null;
  const goal = goals[rng.int(goals.length)];
  const question = cells.slice();
  question[start] = 'S';
  question[goal] = 'G';
  const answer = question.slice();
  for (let cell = prev[goal]; cell !== start; cell = prev[cell]) answer[cell] = 'o';
  return { size, question: question.join(''), answer: answer.join('') };
}

export function generateMaze(rng: Rng, options: MazeOptions = {}): Maze {
  const size = options.size ?? 30;
  const minPath = options.minPathLength ?? 1;
  // Below 5 there is one room and so no path to find.
  if (!Number.isInteger(size) || size < 5)
    throw new PuzzleOptionError(`generateMaze: size must be an integer >= 5, got ${size}`);
  const loops = options.loopFraction ?? 0.05;
  if (!(loops >= 0 && loops <= 1))
    throw new PuzzleOptionError(`generateMaze: loopFraction must be in 0..1, got ${loops}`);
  const carver = options.carver ?? 'backtrack';
  if (!MAZE_CARVERS.includes(carver))
    throw new PuzzleOptionError(
      `generateMaze: carver must be one of ${MAZE_CARVERS.join(', ')}, got ${JSON.stringify(carver)}`,
    );
  for (let attempt = 0; attempt < (options.maxAttempts ?? 50); attempt++) {
    const prim = carver === 'prim' || (carver === 'mixed' && rng.uniform() < 0.5);
    const cells = carve(size, rng, loops, prim);
    const maze = placeStartAndGoal(cells, size, rng, minPath);
    if (maze) return maze;
  }
  throw new PuzzleOptionError(
    `generateMaze: found no start and goal ${minPath} steps apart in a ${size}x${size} maze; lower minPathLength`,
  );
}

/** Dihedral transform `t` (reference ids) of a maze's text. */
export function dihedralMaze(text: string, size: number, t: number): string {
  const g = dihedral(makeGrid(size, size, encodeMaze(text)), t);
  return decodeMaze(g.data);
}

/** The reference maze CSV: header `source,question,answer,rating`, square mazes over `# SGo`. */
export function parseMazeCsv(
  text: string,
  file = '<csv>',
): { size: number; rows: Array<Maze & { source: string; rating: number }> } {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== 'source,question,answer,rating') {
    throw new DatasetError(`${file}:1: expected header "source,question,answer,rating"`);
  }
  let size = 0;
  const rows: Array<Maze & { source: string; rating: number }> = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const where = `${file}:${i + 1}`;
    // Mazes contain spaces but no commas, so a plain split is exact.
    const parts = lines[i].split(',');
    if (parts.length !== 4)
      throw new DatasetError(`${where}: expected 4 fields, found ${parts.length}`);
    const [source, question, answer, rating] = parts;
    const n = Math.round(Math.sqrt(question.length));
    if (n * n !== question.length || answer.length !== question.length) {
      throw new DatasetError(
        `${where}: question (${question.length}) and answer (${answer.length}) must be the same square size`,
      );
    }
    if (size && n !== size)
      throw new DatasetError(`${where}: maze size ${n} differs from ${size} on the first row`);
    size = n;
    for (const [field, s] of [
      ['question', question],
      ['answer', answer],
    ]) {
      const bad = [...s].findIndex((ch) => !MAZE_CHARSET.includes(ch));
      if (bad >= 0)
        throw new DatasetError(
          `${where}: ${field} has ${JSON.stringify(s[bad])} at ${bad}, not in "${MAZE_CHARSET}"`,
        );
    }
    rows.push({ size: n, question, answer, source, rating: Number(rating) });
  }
  if (!size) throw new DatasetError(`${file}: no mazes`);
  return { size, rows };
}
