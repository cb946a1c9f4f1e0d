import { describe, expect, it } from 'vitest';
import { TRM_PRESETS, trmConfig, trmPreset, trmPuzzleEmbLen } from '../src';

const data = { batch_size: 4, seq_len: 81, vocab_size: 11, num_puzzle_identifiers: 10 };

describe('trmConfig', () => {
  it('fills the reference defaults', () => {
    const c = trmConfig({
      ...TRM_PRESETS.maze,
      ...data,
      puzzle_emb_len: undefined,
      mlp_t: undefined,
    });
    expect(c.puzzle_emb_len).toBe(16);
    expect(c.mlp_t).toBe(false);
    expect(c.rms_norm_eps).toBe(1e-5);
    expect(c.rope_theta).toBe(10000);
    expect(c.H_layers).toBe(0);
  });

  it('names the field in every error', () => {
    const ok = { ...TRM_PRESETS.arc, ...data };
    expect(() => trmConfig({ ...ok, hidden_size: 0 })).toThrow(
      /key "hidden_size": expected an integer >= 1, got 0/,
    );
    expect(() => trmConfig({ ...ok, expansion: '4' })).toThrow(
      /key "expansion": expected a finite number, got "4"/,
    );
    expect(() => trmConfig({ ...ok, pos_encodings: 'alibi' })).toThrow(
      /key "pos_encodings": expected one of rope, learned, none/,
    );
    expect(() => trmConfig({ ...ok, halt_exploration_prob: 1.5 })).toThrow(
      /"halt_exploration_prob"/,
    );
    expect(() => trmConfig({ ...ok, mlp_t: 1 })).toThrow(
      /key "mlp_t": expected true or false, got 1/,
    );
    expect(() => trmConfig({ ...ok, grid_mix: true, mlp_t: true })).toThrow(
      /TRM config key "grid_mix": expected false when mlp_t is true \(one sequence mixer\)/,
    );
    expect(() => trmConfig({ ...ok, grid_mix: true, seq_len: 80 })).toThrow(
      /TRM config key "grid_mix": needs a square board, got seq_len 80/,
    );
    expect(() => trmConfig({ ...ok, sudoku_mix: true, grid_mix: true })).toThrow(
      /TRM config key "sudoku_mix": expected false when grid_mix is true/,
    );
    for (const seq_len of [80, 49, 144]) {
      expect(() => trmConfig({ ...ok, sudoku_mix: true, seq_len })).toThrow(
        new RegExp(
          `TRM config key "sudoku_mix": needs a 4×4, 6×6 or 9×9 Sudoku board, got seq_len ${seq_len}`,
        ),
      );
    }
    expect(trmConfig({ ...ok, sudoku_mix: true, seq_len: 36 }).sudoku_mix).toBe(true);
    expect(() => trmConfig({ ...ok, H_cycle: 3 })).toThrow(/unknown TRM config key "H_cycle"/);
    const { vocab_size: _, ...noVocab } = ok;
    expect(() => trmConfig(noVocab)).toThrow(/key "vocab_size": expected an integer, got nothing/);
    expect(() => trmConfig({ ...ok, num_heads: 7 })).toThrow(
      /key "hidden_size": expected a multiple of num_heads \(7\), got 512/,
    );
    expect(() => trmConfig({ ...ok, puzzle_emb_len: 1, puzzle_emb_ndim: 600 })).toThrow(
      /"puzzle_emb_len"/,
    );
    expect(() => trmConfig(null)).toThrow(/TRM config: expected a mapping, got null/);
  });

  it('resolves the puzzle-embedding length as the reference does', () => {
    const base = trmConfig({ ...TRM_PRESETS.arc, ...data });
    expect(trmPuzzleEmbLen(base)).toBe(16);
    expect(trmPuzzleEmbLen({ ...base, puzzle_emb_len: 0, puzzle_emb_ndim: 513 })).toBe(2);
    expect(trmPuzzleEmbLen({ ...base, puzzle_emb_ndim: 0 })).toBe(0);
  });

  it('completes presets with the dataset keys and overrides', () => {
    const c = trmPreset('sudoku_mlp', data, { H_cycles: 2 });
    expect(c).toMatchObject({
      mlp_t: true,
      pos_encodings: 'none',
      L_cycles: 6,
      H_cycles: 2,
      seq_len: 81,
    });
    expect(() => trmPreset('nope' as 'arc', data)).toThrow(/TRM preset "nope" unknown/);
  });
});
