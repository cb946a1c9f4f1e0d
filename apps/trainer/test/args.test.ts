import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseOverride, parseTrainArgs, readConfigFile } from '../src/args.js';

describe('rrm-train arguments', () => {
  it('reads options and typed overrides, ignoring a bare --', () => {
    const a = parseTrainArgs([
      '--',
      '--preset',
      'trm-maze',
      'arch.L_cycles=6',
      'lr=1e-4',
      'ema=false',
      'evaluators=[]',
      'data_paths=[a/b, c]',
      'max_steps=null',
      '--resume',
      '--out',
      'runs/x',
    ]);
    expect(a).toMatchObject({ preset: 'trm-maze', resume: true, out: 'runs/x', backend: 'auto' });
    expect(a.overrides).toEqual([
      ['arch.L_cycles', 6],
      ['lr', 1e-4],
      ['ema', false],
      ['evaluators', []],
      ['data_paths', ['a/b', 'c']],
      ['max_steps', null],
    ]);
  });

  it('rejects a stray word and an unknown option', () => {
    expect(() => parseOverride('lr')).toThrow('expected key=value, got "lr"');
    expect(() => parseOverride('=3')).toThrow('expected key=value');
    expect(() => parseTrainArgs(['--learning-rate', '3'])).toThrow(/learning-rate/);
  });

  it('reads YAML and JSON config files with an optional preset key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rrm-args-'));
    writeFileSync(join(dir, 'a.yaml'), 'preset: trm-arc1\nlr: 3.0e-4\narch:\n  H_cycles: 2\n');
    writeFileSync(join(dir, 'b.json'), '{"lr": 0.1}');
    writeFileSync(join(dir, 'c.yaml'), '- 1\n- 2\n');
    writeFileSync(join(dir, 'd.json'), '{"lr": ');
    expect(readConfigFile(join(dir, 'a.yaml'))).toEqual({
      preset: 'trm-arc1',
      layer: { lr: 3e-4, arch: { H_cycles: 2 } },
    });
    expect(readConfigFile(join(dir, 'b.json'))).toEqual({ preset: undefined, layer: { lr: 0.1 } });
    expect(() => readConfigFile(join(dir, 'c.yaml'))).toThrow(
      `config file ${join(dir, 'c.yaml')}: expected a mapping`,
    );
    expect(() => readConfigFile(join(dir, 'd.json'))).toThrow(
      `config file ${join(dir, 'd.json')}: not valid JSON`,
    );
    expect(() => readConfigFile(join(dir, 'none.yaml'))).toThrow(
      `config file ${join(dir, 'none.yaml')}: ENOENT`,
    );
  });
});
