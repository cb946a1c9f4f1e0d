import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectBackend } from '@rrm/backend';
import { readSafetensors, writeSafetensors } from '@rrm/layers';
import { buildMazeDataset, buildSudokuDataset } from '@rrm/puzzles/node';
import {
  openRunFolder,
  openTrainingData,
  resolveConfig,
  sudokuBuildOptions,
  Trainer,
} from '@rrm/trainer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'rrm-eval-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function rrmEval(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=source', cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, RRM_DEBUG: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const sudoku = (box_cols: number) => ({
  kind: 'sudoku',
  box_rows: 2,
  box_cols,
  train_puzzles: 16,
  test_puzzles: 4,
  num_aug: 0,
  min_givens: 0,
  max_givens: 0,
  seed: 1,
});

let checkpoint = '';
beforeAll(async () => {
  await selectBackend('cpu');
  // One training step of a tiny TRM on 4×4 Sudoku (vocabulary 6, 16 cells).
  const config = resolveConfig({
    preset: 'sudoku-small',
    overrides: [
      ['data_paths', [join(root, 'sudoku-4x4')]],
      ['build_data', sudoku(2)],
      ['global_batch_size', 4],
      ['max_steps', 1],
      ['arch', { hidden_size: 16, L_layers: 1, H_cycles: 1, L_cycles: 1, halt_max_steps: 2 }],
    ],
  });
  const t = await Trainer.open({
    config,
    run: openRunFolder(join(root, 'run')),
    data: openTrainingData(config),
  });
  checkpoint = (await t.run()).checkpoint!.dir;
  t.dispose();
  buildSudokuDataset(join(root, 'sudoku-6x6'), sudokuBuildOptions(sudoku(3) as never));
});

describe('rrm-eval refuses what would score silently wrong', () => {
  it('a dataset with another vocabulary, naming the checkpoint and the dataset', () => {
    const other = join(root, 'sudoku-6x6');
    const r = rrmEval(checkpoint, '--backend', 'cpu', '--data', other);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `rrm-eval: checkpoint ${checkpoint}/model.safetensors against dataset ${other}: the model has vocab_size 6, the dataset 8`,
    );
  });

  it('a checkpoint with a NaN weight, naming the file and the weight', () => {
    const path = join(checkpoint, 'model.safetensors');
    const tensors = readSafetensors(readFileSync(path), path).tensors;
    const [name, t] = [...tensors].find(([n]) => n.includes('lm_head'))!;
    const data = Float32Array.from(t.data as Float32Array);
    data[3] = Number.NaN;
    const all = Object.fromEntries(
      [...tensors].map(([n, v]) => [
        n,
        {
          dtype: 'F32' as const,
          shape: v.shape,
          data: n === name ? data : (v.data as Float32Array),
        },
      ]),
    );
    writeFileSync(path, writeSafetensors(all));
    const r = rrmEval(checkpoint, '--backend', 'cpu');
    expect(r.code).toBe(2);
    // Named as the model names it, without the checkpoint's compiled-module prefix.
    expect(r.stderr).toContain(
      `rrm-eval: ${path}: weight "${name.slice(name.indexOf('inner.'))}" holds NaN or infinite values`,
    );
  });
});

describe('rrm-eval on a grid-mixing model', () => {
  it("runs it at the dataset's board size, for as many steps as --steps asks", async () => {
    buildMazeDataset(join(root, 'maze-7'), {
      size: 7,
      numTrain: 0,
      numTest: 4,
      augment: false,
      loopFraction: 0,
      seed: 7,
    });
    const config = resolveConfig({
      preset: 'maze-15x15',
      overrides: [
        ['data_paths', [join(root, 'maze-5')]],
        ['build_data.size', 5],
        ['build_data.train_puzzles', 8],
        ['build_data.test_puzzles', 4],
        ['build_data.test_min_path', null],
        ['global_batch_size', 4],
        ['max_steps', 1],
        ['arch', { hidden_size: 8, L_layers: 1, H_cycles: 1, L_cycles: 1, halt_max_steps: 2 }],
        ['arch.grid_mix', true],
        ['arch.pos_encodings', 'none'],
      ],
    });
    const t = await Trainer.open({
      config,
      run: openRunFolder(join(root, 'maze-run')),
      data: openTrainingData(config),
    });
    const trained = (await t.run()).checkpoint!.dir;
    t.dispose();
    const r = rrmEval(
      trained,
      '--backend',
      'cpu',
      '--data',
      join(root, 'maze-7'),
      '--steps',
      '5',
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.result.sets.all.count).toBe(4);
    expect(report.result.sets.all.by_step).toHaveLength(5);
    expect(rrmEval(trained, '--steps', '0').stderr).toContain(
      'rrm-eval: --steps: expected a positive integer, got "0"',
    );
  });
});
