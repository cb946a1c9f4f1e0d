import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { webgpuUnavailable } from '@rrm/backend';
import { afterAll, describe, expect, it } from 'vitest';

// rrm-train and rrm-eval on webgpu in Node (Dawn; in CI Mesa's software adapter), against
// the same commands on cpu: the whole path, checkpoints and resume included.
const noAdapter = await webgpuUnavailable();
if (noAdapter) console.warn(`skipping rrm-train on webgpu: ${noAdapter}`);

const root = mkdtempSync(join(tmpdir(), 'rrm-train-webgpu-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const bin = (app: string) => fileURLToPath(new URL(`../../${app}/src/cli.ts`, import.meta.url));

function cli(app: 'trainer' | 'eval', ...args: string[]) {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--conditions=source', bin(app), ...args],
    { encoding: 'utf8', env: { ...process.env, RRM_DEBUG: '1' } },
  );
  expect(r.status, r.stderr).toBe(0);
  return r.stderr;
}

const data = join(root, 'data');
// Both models, each with what only some configs use: a puzzle embedding (sparse sign SGD)
// and EMA weights for TRM, the Q-learning target's extra forward pass for HRM, whose
// halting is pinned to two steps (exploration with probability 1, at most 2 steps): it
// compares two Q-values that start almost equal, and a last-bit difference there would
// send the two runs down different paths.
const CONFIGS = {
  trm: [
    'preset: sudoku-small',
    'arch: {hidden_size: 16, L_layers: 1, H_cycles: 2, L_cycles: 1, halt_max_steps: 2, puzzle_emb_ndim: 16}',
    'ema: true',
  ],
  hrm: [
    'preset: hrm-sudoku',
    'arch: {hidden_size: 16, H_layers: 1, L_layers: 1, H_cycles: 1, L_cycles: 2, num_heads: 2, expansion: 2, puzzle_emb_ndim: 16, halt_max_steps: 2, halt_exploration_prob: 1}',
    'lr: 1.0e-3',
    'lr_warmup_steps: 2',
  ],
};
function configFile(model: keyof typeof CONFIGS): string {
  const path = join(root, `${model}.yaml`);
  writeFileSync(
    path,
    [
      ...CONFIGS[model],
      `data_paths: [${data}]`,
      'build_data: {kind: sudoku, box_rows: 2, box_cols: 2, train_puzzles: 48, test_puzzles: 8, num_aug: 0, min_givens: 0, seed: 5}',
      'global_batch_size: 8',
      'epochs: 100',
      'max_steps: 6',
      'eval_interval: null',
      'checkpoint_every: 3',
    ].join('\n'),
  );
  return path;
}

const trainLosses = (run: string, key: string): number[] =>
  readFileSync(join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((r) => key in r)
    .map((r) => r[key]);

/** The table rrm-eval prints, the lines after its backend line. */
const scores = (stderr: string) => stderr.slice(stderr.indexOf('\nall')).trim();

describe.skipIf(noAdapter !== null)('rrm-train and rrm-eval on webgpu', () => {
  it.each(['trm', 'hrm'] as const)(
    '%s: 6 steps, a resume to 9 and the evaluation agree with cpu',
    (model) => {
      const config = configFile(model);
      const runs = { cpu: join(root, `${model}-cpu`), webgpu: join(root, `${model}-webgpu`) };
      for (const [backend, out] of Object.entries(runs)) {
        expect(cli('trainer', '--config', config, '--backend', backend, '--out', out)).toContain(
          `backend: ${backend}`,
        );
        cli('trainer', '--resume', '--out', out, '--backend', backend, 'max_steps=9');
      }
      // float32 on another device: the same ops in another order. The Q-heads' losses are
      // looser: their gradients are tiny at first, and Adam's m/√v turns a last-bit
      // difference of a tiny gradient into a difference of a whole step.
      for (const [key, tolerance] of [
        ['train/lm_loss', 1e-5],
        ['train/loss', 2e-3],
      ] as const) {
        const [cpu, gpu] = [trainLosses(runs.cpu, key), trainLosses(runs.webgpu, key)];
        expect(gpu).toHaveLength(9);
        for (const [i, loss] of gpu.entries())
          expect(Math.abs(loss - cpu[i]), `${key} at step ${i + 1}`).toBeLessThan(tolerance);
      }
      // The webgpu checkpoint scores the same on both backends.
      const onGpu = cli('eval', runs.webgpu, '--backend', 'webgpu');
      expect(onGpu).toContain('backend: webgpu');
      expect(scores(onGpu)).toBe(scores(cli('eval', runs.webgpu, '--backend', 'cpu')));
    },
    120_000,
  );
});
