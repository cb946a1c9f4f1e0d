import { describe, expect, it } from 'vitest';
import { ConfigError, type ConfigSpec, validateFields } from '../src';

interface Run {
  name: string;
  steps: number | null;
  rate: number;
  tags: string[];
  extra: Record<string, unknown>;
  build: { kind: 'grid'; size: number } | null;
}

const spec: ConfigSpec<Run> = {
  name: { kind: 'enum', values: ['a', 'b'], default: 'a' },
  steps: { kind: 'int', min: 1, nullable: true },
  rate: { kind: 'number', min: 0, max: 1, exclusiveMin: true },
  tags: { kind: 'strings' },
  extra: { kind: 'object' },
  build: {
    kind: 'object',
    nullable: true,
    fields: { kind: { kind: 'enum', values: ['grid'] }, size: { kind: 'int', min: 2 } },
  },
};

const ok = {
  steps: 3,
  rate: 0.5,
  tags: ['x'],
  extra: { any: 1 },
  build: { kind: 'grid', size: 4 },
};

describe('validateFields', () => {
  it('accepts nulls, lists of strings and mappings, and validates nested fields', () => {
    expect(validateFields(ok, spec, 'run')).toEqual({ name: 'a', ...ok });
    expect(validateFields({ ...ok, steps: null, build: null }, spec, 'run')).toMatchObject({
      steps: null,
      build: null,
    });
  });

  it.each([
    [{ steps: 1.5 }, 'run key "steps": expected an integer or null, got 1.5'],
    [{ steps: 0 }, 'run key "steps": expected an integer >= 1, got 0'],
    [{ rate: 'x' }, 'run key "rate": expected a finite number, got "x"'],
    [{ rate: 0 }, 'run key "rate": expected a number > 0, got 0'],
    [{ rate: 2 }, 'run key "rate": expected a number <= 1, got 2'],
    [{ tags: ['x', 2] }, 'run key "tags": expected a list of strings, got ["x",2]'],
    [{ extra: [1] }, 'run key "extra": expected a mapping, got [1]'],
    [{ build: 3 }, 'run key "build": expected a mapping or null, got 3'],
    [{ build: { kind: 'hex', size: 4 } }, 'run key "build.kind": expected grid, got "hex"'],
    [{ build: { kind: 'grid', size: 1 } }, 'run key "build.size": expected an integer >= 2'],
    [{ build: { kind: 'grid' } }, 'run key "build.size": expected an integer, got nothing'],
    [{ build: { kind: 'grid', size: 4, x: 1 } }, 'unknown run key "build.x"'],
    [{ name: 'c', x: 1, y: 2 }, 'unknown run keys "x", "y"'],
    [{ name: 'c' }, 'run key "name": expected one of a, b, got "c"'],
  ])('names the field at fault in %j', (change, message) => {
    const run = () => validateFields({ ...ok, ...change }, spec, 'run');
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(message);
  });

  it('rejects a config that is not a mapping', () => {
    expect(() => validateFields([], spec, 'run')).toThrow('run: expected a mapping, got []');
    expect(() => validateFields(undefined, spec, 'run')).toThrow(
      'run: expected a mapping, got nothing',
    );
  });
});

describe('validateFields with fields by kind', () => {
  const spec = {
    build: {
      kind: 'object',
      nullable: true,
      byKind: {
        grid: { kind: { kind: 'enum', values: ['grid'] }, size: { kind: 'int', min: 2 } },
        path: { kind: { kind: 'enum', values: ['path'] }, loops: { kind: 'bool', default: false } },
      },
    },
  } satisfies ConfigSpec<{ build: unknown }>;

  it('validates each kind by its own fields, defaults included', () => {
    const check = (build: unknown) => validateFields({ build }, spec, 'run').build;
    expect(check({ kind: 'grid', size: 3 })).toEqual({ kind: 'grid', size: 3 });
    expect(check({ kind: 'path' })).toEqual({ kind: 'path', loops: false });
    expect(check(null)).toBeNull();
  });

  it.each([
    [{ size: 3 }, 'run key "build.kind": expected one of grid, path, got nothing'],
    [{ kind: 'hex' }, 'run key "build.kind": expected one of grid, path, got "hex"'],
    [{ kind: 'path', size: 3 }, 'unknown run key "build.size"'],
    [{ kind: 'grid', loops: true, size: 3 }, 'unknown run key "build.loops"'],
  ])('names the field at fault in %j', (build, message) => {
    expect(() => validateFields({ build }, spec, 'run')).toThrow(message);
  });
});
