import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { MetricsLog } from '../src/metrics.js';

const dir = mkdtempSync(join(tmpdir(), 'rrm-metrics-'));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('writes JSONL and CSV, widens the CSV for new columns and drops records past a resume point', () => {
  const log = new MetricsLog(dir);
  log.log({ step: 1, 'train/loss': 2.5 });
  log.log({ step: 2, 'train/loss': 2 });
  log.log({ step: 2, 'test/exact_accuracy': 0.5, set: 'all, "quoted"' });
  log.log({ step: 3, 'train/loss': 1.5 });
  expect(readFileSync(join(dir, 'metrics.csv'), 'utf8')).toBe(
    'step,train/loss,test/exact_accuracy,set\n1,2.5,,\n2,2,,\n2,,0.5,"all, ""quoted"""\n3,1.5,,\n',
  );
  appendFileSync(join(dir, 'metrics.jsonl'), '{"step": 4, "train/lo');
  const resumed = new MetricsLog(dir, 2);
  expect(resumed.all.map((r) => r.step)).toEqual([1, 2, 2]);
  resumed.log({ step: 3, 'train/loss': 1.25 });
  const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n');
  expect(lines.map((l) => JSON.parse(l).step)).toEqual([1, 2, 2, 3]);
  expect(JSON.parse(lines[3])['train/loss']).toBe(1.25);
});
