import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@rrm/reasoning';
import { resolveConfig } from '@rrm/trainer';
import fc from 'fast-check';
import { afterAll, describe, it } from 'vitest';
// The shared damage generator of the parsers' property tests.
import { mutatedText, PROPERTY_RUNS, readsOrNames } from '../../../packages/puzzles/test/mutate.js';
import { parseOverride, readConfigFile } from '../src/args.js';

const tmp = mkdtempSync(join(tmpdir(), 'rrm-train-properties-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A config file or override list resolved the way rrm-train resolves it. */
function resolveFile(path: string) {
  const file = readConfigFile(path);
  return resolveConfig({ preset: file.preset ?? 'sudoku-small', file: file.layer });
}

describe('config files and overrides on damaged input: a config or a ConfigError', () => {
  const yaml = [
    'preset: sudoku-small',
    'data_paths: [data/sudoku-4x4]',
    'global_batch_size: 16',
    'lr: 1.0e-3',
    'evaluators: []',
    'arch: {hidden_size: 32, H_cycles: 2, L_cycles: 3, halt_max_steps: 4}',
  ].join('\n');

  it.each([
    ['YAML', 'c.yaml', yaml],
    [
      'JSON',
      'c.json',
      JSON.stringify({ preset: 'sudoku-small', lr: 0.001, arch: { H_cycles: 2 } }),
    ],
  ])('%s files', (_kind, name, valid) => {
    const path = join(tmp, name);
    fc.assert(
      fc.property(mutatedText(valid), (text) => {
        writeFileSync(path, text);
        return readsOrNames(() => resolveFile(path), [ConfigError]);
      }),
      PROPERTY_RUNS,
    );
  });

  it('key=value overrides', () => {
    const tokens = [
      'arch.H_cycles=3',
      'lr=1e-4',
      'data_paths=[data/a,data/b]',
      'ema=true',
      'max_steps=null',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...tokens).chain(mutatedText), (token) =>
        readsOrNames(
          () => resolveConfig({ preset: 'sudoku-small', overrides: [parseOverride(token)] }),
          [ConfigError],
        ),
      ),
      PROPERTY_RUNS,
    );
  });
});
