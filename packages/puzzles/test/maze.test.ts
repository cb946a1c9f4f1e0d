import { Rng } from '@rrm/random';
import { describe, expect, it } from 'vitest';
import {
  decodeMaze,
  dihedralMaze,
  encodeMaze,
  generateMaze,
  mazeDistances,
  parseMazeCsv,
} from '../src/index.js';

/** Independent check: the 'o' cells plus S and G form a simple 4-connected S->G walk. */
function pathLength(answer: string, size: number): number {
  const start = answer.indexOf('S');
  const goal = answer.indexOf('G');
  const onPath = (i: number) => answer[i] === 'o' || i === goal;
  let cell = start;
  let prev = -1;
  let steps = 0;
  while (cell !== goal) {
    const r = Math.floor(cell / size);
    const c = cell % size;
    const next = [
      cell - size,
      cell + size,
      c > 0 ? cell - 1 : -1,
      c < size - 1 ? cell + 1 : -1,
    ].filter(
      (n) =>
        n >= 0 &&
        n < size * size &&
        n !== prev &&
        onPath(n) &&
        Math.abs(Math.floor(n / size) - r) + Math.abs((n % size) - c) === 1,
    );
    expect(next.length).toBe(1);
    prev = cell;
    cell = next[0];
    steps++;
  }
  expect(answer.split('').filter((ch) => ch === 'o').length).toBe(steps - 1);
  return steps;
}

describe('maze generator', () => {
  it('marks a shortest path: its length equals the BFS distance from S to G', () => {
    const rng = new Rng(12);
    for (let i = 0; i < 50; i++) {
      const m = generateMaze(rng, { size: 30 });
      expect(m.question.length).toBe(900);
      expect(m.answer.replace(/o/g, ' ')).toBe(m.question);
      const { dist } = mazeDistances(m.question, 30, m.question.indexOf('S'));
      expect(pathLength(m.answer, 30)).toBe(dist[m.question.indexOf('G')]);
    }
  });

  it('honours a minimum path length ("hard" mazes) and says when it cannot', () => {
    const rng = new Rng(13);
    for (let i = 0; i < 10; i++) {
      const m = generateMaze(rng, { size: 30, minPathLength: 120 });
      expect(pathLength(m.answer, 30)).toBeGreaterThanOrEqual(120);
    }
    expect(() => generateMaze(rng, { size: 7, minPathLength: 500 })).toThrow(/lower minPathLength/);
  });

  it('encodes `# SGo` as 1..5 and transforms S, G and the path together', () => {
    const m = generateMaze(new Rng(1), { size: 11 });
    const tokens = encodeMaze(m.answer);
    expect(new Set(tokens)).toEqual(new Set([1, 2, 3, 4, 5]));
    expect(decodeMaze(tokens)).toBe(m.answer);
    expect(() => encodeMaze('#x')).toThrow(/"x" at 1/);
    for (let t = 0; t < 8; t++) {
      const q = dihedralMaze(m.question, 11, t);
      const a = dihedralMaze(m.answer, 11, t);
      const { dist } = mazeDistances(q, 11, q.indexOf('S'));
      expect(pathLength(a, 11)).toBe(dist[q.indexOf('G')]);
    }
  });

  it('reads the reference CSV and names bad lines', () => {
    const m = generateMaze(new Rng(2), { size: 9 });
    const { size, rows } = parseMazeCsv(
      `source,question,answer,rating\nx,${m.question},${m.answer},3\n`,
    );
    expect(size).toBe(9);
    expect(rows[0].answer).toBe(m.answer);
    expect(() =>
      parseMazeCsv(`source,question,answer,rating\nx,${m.question}!,${m.answer}!,3`, 'm.csv'),
    ).toThrow(/m.csv:2/);
  });
});

/** Shortest S->G paths, counted by BFS over the open cells (an independent check). */
function shortestPathCount(question: string, size: number): number {
  const start = question.indexOf('S');
  const goal = question.indexOf('G');
  const dist = new Map([[start, 0]]);
  const ways = new Map([[start, 1]]);
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const cell = queue[head];
    const r = Math.floor(cell / size);
    const c = cell % size;
    for (const [nr, nc] of [
      [r - 1, c],
      [r + 1, c],
      [r, c - 1],
      [r, c + 1],
    ]) {
      const next = nr * size + nc;
      if (nr < 0 || nc < 0 || nr >= size || nc >= size || question[next] === '#') continue;
      if (!dist.has(next)) {
        dist.set(next, dist.get(cell)! + 1);
        ways.set(next, 0);
        queue.push(next);
      }
      if (dist.get(next) === dist.get(cell)! + 1) ways.set(next, ways.get(next)! + ways.get(cell)!);
    }
  }
  return ways.get(goal) ?? 0;
}

describe('maze loops', () => {
  it('loopFraction 0 gives loop-free mazes with one shortest path; loops give several', () => {
    const rng = new Rng(21);
    for (let i = 0; i < 20; i++) {
      const m = generateMaze(rng, { size: 15, loopFraction: 0, minPathLength: 20 });
      expect(shortestPathCount(m.question, 15)).toBe(1);
    }
    const counts = Array.from({ length: 20 }, () =>
      shortestPathCount(generateMaze(rng, { size: 15, loopFraction: 0.3 }).question, 15),
    );
    expect(Math.max(...counts)).toBeGreaterThan(1);
  });

  it('names sizes without a path to find and bad loop fractions', () => {
    const rng = new Rng(0);
    expect(() => generateMaze(rng, { size: 4 })).toThrow(
      /generateMaze: size must be an integer >= 5, got 4/,
    );
    expect(() => generateMaze(rng, { size: 9, loopFraction: 2 })).toThrow(
      /loopFraction must be in 0\.\.1, got 2/,
    );
  });
});

describe('maze carvers', () => {
  const size = 15;
  const rooms = 7;
  /** Rooms with one opening: the dead ends a solver has to rule out. */
  const deadEnds = (q: string) => {
    let n = 0;
    for (let i = 0; i < rooms; i++)
      for (let j = 0; j < rooms; j++) {
        const [r, c] = [2 * i + 1, 2 * j + 1];
        const open = [
          [r - 1, c],
          [r + 1, c],
          [r, c - 1],
          [r, c + 1],
        ].filter(([a, b]) => q[a * size + b] !== '#').length;
        if (open === 1) n++;
      }
    return n;
  };
  const mazes = (carver: 'backtrack' | 'prim' | 'mixed', seed: number) => {
    const rng = new Rng(seed);
    return Array.from({ length: 30 }, () => generateMaze(rng, { size, loopFraction: 0, carver }));
  };

  it('every carver makes a spanning tree: all rooms joined by rooms − 1 passages, one path', () => {
    for (const carver of ['backtrack', 'prim', 'mixed'] as const) {
      for (const m of mazes(carver, 5)) {
        const open = [...m.question].filter((ch) => ch !== '#').length;
        expect(open).toBe(2 * rooms * rooms - 1);
        const { dist } = mazeDistances(m.question, size, m.question.indexOf('S'));
        expect([...m.question].every((ch, i) => ch === '#' || dist[i] >= 0)).toBe(true);
        expect(shortestPathCount(m.question, size)).toBe(1);
      }
    }
  });

  it('Prim leaves far more dead ends than the backtracker; mixed draws both', () => {
    const mean = (ms: { question: string }[]) =>
      ms.reduce((s, m) => s + deadEnds(m.question), 0) / ms.length;
    const back = mean(mazes('backtrack', 6));
    const prim = mean(mazes('prim', 6));
    expect(prim).toBeGreaterThan(1.5 * back);
    const mixed = mazes('mixed', 6).map((m) => deadEnds(m.question));
    const cut = (back + prim) / 2;
    expect(mixed.some((d) => d < cut)).toBe(true);
    expect(mixed.some((d) => d > cut)).toBe(true);
    expect(() => generateMaze(new Rng(0), { size, carver: 'kruskal' as 'prim' })).toThrow(
      /carver must be one of backtrack, prim, mixed, got "kruskal"/,
    );
  });
});
