import { ConfigError } from '@rrm/reasoning';
import { describe, expect, it } from 'vitest';
import { totalSteps } from '../src/config.js';
import { DEFAULT_PRESET, preset, presetNames, resolveConfig } from '../src/presets.js';

describe('config resolution', () => {
  it('validates every preset', () => {
    for (const { name } of presetNames())
      expect(() => resolveConfig({ preset: name })).not.toThrow();
    expect(presetNames().map((p) => p.name)).toContain(DEFAULT_PRESET);
  });

  it('carries the papers hyper-parameters', () => {
    const trm = resolveConfig({ preset: 'trm-sudoku-mlp' });
    expect(trm.arch).toMatchObject({
      mlp_t: true,
      pos_encodings: 'none',
      H_cycles: 3,
      L_cycles: 6,
      L_layers: 2,
    });
    expect(trm).toMatchObject({
      lr: 1e-4,
      weight_decay: 1.0,
      puzzle_emb_lr: 1e-4,
      ema: true,
      epochs: 50000,
    });
    const hrm = resolveConfig({ preset: 'hrm-sudoku' });
    expect(hrm).toMatchObject({ model: 'hrm', global_batch_size: 384, lr: 7e-5 });
    expect(hrm.arch).toMatchObject({ H_layers: 4, L_layers: 4, H_cycles: 2, L_cycles: 2 });
  });

  it('applies a file layer and dotted overrides in order', () => {
    const cfg = resolveConfig({
      preset: 'trm-arc1',
      file: { lr: 3e-4, arch: { hidden_size: 256 } },
      overrides: [
        ['arch.L_cycles', 6],
        ['lr', 1e-4],
        ['build_data', null],
      ],
    });
    expect(cfg.lr).toBe(1e-4);
    expect(cfg.arch).toMatchObject({ hidden_size: 256, L_cycles: 6, H_cycles: 3 });
  });

  it('the single-pass baseline keeps the network and drops recursion', () => {
    const base = resolveConfig({ preset: 'sudoku-small' });
    const single = resolveConfig({ preset: 'sudoku-small-single' });
    expect(single.arch).toEqual({
      ...base.arch,
      H_cycles: 1,
      L_cycles: 1,
      halt_max_steps: 1,
      halt_exploration_prob: 0,
    });
    expect({ ...single, arch: null }).toEqual({ ...base, arch: null });
  });

  it.each([
    [{ overrides: [['arch.L_cycle', 2]] }, 'unknown config key "arch.L_cycle"'],
    [{ overrides: [['learning_rate', 2]] }, 'unknown config key "learning_rate"'],
    [{ file: { arch: { nope: 1 } } }, 'unknown config key "arch.nope"'],
    [{ overrides: [['lr', 'fast']] }, 'config key "lr": expected a finite number, got "fast"'],
    [
      { overrides: [['global_batch_size', 1.5]] },
      'config key "global_batch_size": expected an integer, got 1.5',
    ],
    [
      { overrides: [['optimizer', 'sgd']] },
      'config key "optimizer": expected one of adam_atan2, adamw',
    ],
    [{ overrides: [['ema', 'yes']] }, 'config key "ema": expected true or false'],
    [
      { overrides: [['build_data.num_aug', -1]] },
      'config key "build_data.num_aug": expected an integer >= 0',
    ],
    [
      { overrides: [['build_data.kind', 'hex']] },
      'config key "build_data.kind": expected one of sudoku, maze, arc, got "hex"',
    ],
    [
      { overrides: [['build_data.kind', 'maze']] },
      'unknown config keys "build_data.box_rows", "build_data.box_cols"',
    ],
    [
      { preset: 'sudoku-4x4', overrides: [['build_data.train_puzzles', 20]] },
      'config keys "build_data.train_puzzles" and "global_batch_size": 20 training puzzles cannot fill a batch of 32',
    ],
    [
      { preset: 'maze-15x15', overrides: [['build_data.size', 4]] },
      'config key "build_data.size": expected an integer >= 5, got 4',
    ],
    [
      { preset: 'maze-15x15', overrides: [['build_data.loop_fraction', 2]] },
      'config key "build_data.loop_fraction": expected a number <= 1, got 2',
    ],
    [
      { preset: 'arc-mini', overrides: [['build_data.canvas', 31]] },
      'config key "build_data.canvas": expected an integer in 1..30 (ARC grids are at most 30x30), got 31',
    ],
    [
      { preset: 'arc-mini', overrides: [['build_data.canvas', 0]] },
      'config key "build_data.canvas": expected an integer >= 1, got 0',
    ],
    [
      { preset: 'arc-mini', overrides: [['build_data.test_sets', ['eval']]] },
      'config key "build_data.test_sets": "eval" is not one of build_data.subsets (training, evaluation)',
    ],
    [
      { preset: 'arc-mini', overrides: [['build_data.subsets', []]] },
      'config key "build_data.subsets": needs at least one subset name',
    ],
    [
      { preset: 'arc-mini', overrides: [['build_data.subsets', ['training', 'training']]] },
      'config key "build_data.subsets": "training" is listed twice',
    ],
    [
      { preset: 'arc-mini', overrides: [['build_data.only_fitting', 'yes']] },
      'config key "build_data.only_fitting": expected true or false',
    ],
    [
      { preset: 'arc-mini', overrides: [['build_data.input_prefix', 3]] },
      'config key "build_data.input_prefix": expected a string',
    ],
    [{ overrides: [['data_paths', []]] }, 'config key "data_paths": needs at least one'],
    [{ overrides: [['arch', 3]] }, 'config key "arch": expected a mapping'],
    [{ overrides: [['lr.', 3]] }, 'bad config key "lr."'],
    [{ preset: 'gpt' }, 'unknown preset "gpt"'],
  ] as const)('rejects %j naming the key', (opts, message) => {
    expect(() => resolveConfig(opts as Parameters<typeof resolveConfig>[0])).toThrow(ConfigError);
    expect(() => resolveConfig(opts as Parameters<typeof resolveConfig>[0])).toThrow(message);
  });

  it('presets are fresh copies', () => {
    (preset('sudoku-small').arch as Record<string, unknown>).H_cycles = 99;
    expect(resolveConfig({ preset: 'sudoku-small' }).arch.H_cycles).not.toBe(99);
  });

  it('derives total steps from epochs as the reference, capped by max_steps', () => {
    const meta = { total_groups: 1000, mean_puzzle_examples: 1001 };
    expect(totalSteps({ epochs: 50000, global_batch_size: 768, max_steps: null }, meta)).toBe(
      65169270,
    );
    expect(totalSteps({ epochs: 0.002, global_batch_size: 1000, max_steps: 5 }, meta)).toBe(2);
    expect(totalSteps({ epochs: 50, global_batch_size: 1000, max_steps: 5 }, meta)).toBe(5);
  });
});

describe('config limits', () => {
  it('refuses recursion that could not finish a step', () => {
    const trm = (overrides: Array<[string, unknown]>) => () =>
      resolveConfig({ preset: 'sudoku-small', overrides });
    expect(trm([['arch.H_cycles', 1_000_000_000]])).toThrow(
      'config keys "arch.H_cycles" and "arch.L_cycles": 1000000000 × (2 + 1) = 3000000000 network passes per supervision step, at most 1024 allowed',
    );
    expect(trm([['arch.halt_max_steps', 100000]])).toThrow(
      'config key "arch.halt_max_steps": 100000 supervision steps, at most 256 allowed',
    );
    expect(() =>
      resolveConfig({ preset: 'hrm-sudoku', overrides: [['arch.L_cycles', 600]] }),
    ).toThrow('2 × 600 = 1200 network passes per supervision step');
    // The papers' largest settings pass.
    expect(
      trm([
        ['arch.H_cycles', 3],
        ['arch.L_cycles', 6],
        ['arch.halt_max_steps', 16],
      ]),
    ).not.toThrow();
  });
});
