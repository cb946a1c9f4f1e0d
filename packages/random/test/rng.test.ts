import { describe, expect, test } from 'vitest';
import { Rng } from '../src/index';

describe('Rng', () => {
  test('same seed gives the same stream, different seeds differ', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xs = Array.from({ length: 16 }, () => a.next());
    expect(Array.from({ length: 16 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 16 }, () => c.next())).not.toEqual(xs);
  });

  test('state round-trips mid-stream, including the cached normal', () => {
    const a = new Rng(7);
    a.normal(); // leaves a spare normal cached
    const b = Rng.fromState(JSON.parse(JSON.stringify(a.getState())));
    expect([a.normal(), a.uniform(), a.int(1000)]).toEqual([b.normal(), b.uniform(), b.int(1000)]);
  });

  test('uniform, int and normal have the right ranges and moments', () => {
    const r = new Rng(1);
    const n = 20000;
    let sum = 0;
    let sq = 0;
    const counts = new Array(5).fill(0);
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      counts[r.int(5)]++;
      const z = r.normal();
      sum += z;
      sq += z * z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.03);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.05);
    for (const c of counts) expect(Math.abs(c / n - 0.2)).toBeLessThan(0.02);
  });

  test('permutation and shuffle are permutations', () => {
    const r = new Rng(3);
    const p = Array.from(r.permutation(50)).sort((x, y) => x - y);
    expect(p).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const s = r.shuffle(Array.from({ length: 50 }, (_, i) => i)).sort((x, y) => x - y);
    expect(s).toEqual(p);
  });

  test('forks are independent of each other and reproducible', () => {
    const f1 = new Rng(5).fork(1);
    const f1b = new Rng(5).fork(1);
    const f2 = new Rng(5).fork(2);
    expect(f1.next()).toBe(f1b.next());
    expect(new Rng(5).fork(1).next()).not.toBe(f2.next());
  });

  test('rejects bad arguments', () => {
    expect(() => new Rng(Number.NaN)).toThrow(/seed/);
    expect(() => new Rng(1).int(0)).toThrow(/n must be/);
  });
});
