import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { formatDuration, Progress, peakRssMb } from '../src/index';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  }) as Writable & { isTTY?: boolean };
  stream.isTTY = isTTY;
  return { stream, chunks };
}

describe('Progress', () => {
  test('reports count, percentage, rate, ETA and fields', () => {
    let t = 0;
    const { stream } = sink(false);
    const p = new Progress({ total: 10, label: 'train', stream, now: () => t });
    t = 2000;
    p.tick(4, { loss: 0.12345, acc: 0.5 });
    const line = p.line();
    expect(line).toContain('train [');
    expect(line).toContain('4/10 40%');
    expect(line).toContain('2.0/s');
    expect(line).toContain('00:02<00:03');
    expect(line).toContain('loss 0.1235');
    expect(line).toContain('acc 0.5000');
  });

  test('off a TTY it throttles lines but always prints the last one', () => {
    let t = 0;
    const { stream, chunks } = sink(false);
    const p = new Progress({ total: 100, label: 'x', stream, now: () => t, logEveryMs: 1000 });
    for (let i = 0; i < 100; i++) {
      t += 10; // 100 ticks over 1 s
      p.tick();
    }
    p.finish('summary: ok');
    // first tick, one after 1 s (= the last tick), then the summary
    expect(chunks.length).toBeLessThanOrEqual(3);
    expect(chunks.at(-2)).toContain('100/100 100%');
    expect(chunks.at(-1)).toBe('summary: ok\n');
  });

  test('on a TTY it redraws in place', () => {
    const { stream, chunks } = sink(true);
    const p = new Progress({ total: 2, label: 'x', stream });
    p.tick();
    p.tick();
    p.finish();
    expect(chunks[0].startsWith('\r')).toBe(true);
    expect(chunks.at(-1)).toBe('\n');
  });

  test('rejects a bad total and clamps over-ticking', () => {
    expect(() => new Progress({ total: Number.NaN, label: 'x' })).toThrow(/total/);
    const { stream } = sink(false);
    const p = new Progress({ total: 3, label: 'x', stream });
    p.tick(10);
    expect(p.done).toBe(3);
  });
});

test('formatDuration and peakRssMb', () => {
  expect(formatDuration(65)).toBe('01:05');
  expect(formatDuration(3725)).toBe('1:02:05');
  expect(formatDuration(Number.NaN)).toBe('--:--');
  expect(peakRssMb()).toBeGreaterThan(10);
});
