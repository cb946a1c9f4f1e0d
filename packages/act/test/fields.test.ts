import { describe, expect, it } from 'vitest';
import { ConfigError, type ConfigSpec, type FieldWording, validateFields } from '../src';

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

/** A wording that names only the rule broken and lists choices bare. */
const terse: FieldWording = {
  want: 'broken',
  quoteChoices: false,
  invalid: (label, key, want, got) => `${label} ${key}: expected ${want}, got ${got}`,
  missing: (label, key, want) => `${label} ${key}: expected ${want}, got nothing`,
  unknown: (label, keys) => `${label}: unknown ${keys.join(' ')}`,
  notObject: (label, got) => `${label}: not a mapping: ${got}`,
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
    [{ steps: 1.5 }, 'run: field "steps" must be an integer >= 1 or null, got 1.5'],
    [{ rate: 0 }, 'run: field "rate" must be a number in (0, 1], got 0'],
    [{ tags: ['x', 2] }, 'run: field "tags" must be a list of strings, got ["x",2]'],
    [{ extra: [1] }, 'run: field "extra" must be a mapping, got [1]'],
    [{ build: 3 }, 'run: field "build" must be a mapping or null, got 3'],
    [{ build: { kind: 'hex', size: 4 } }, 'run: field "build.kind" must be "grid", got "hex"'],
    [{ build: { kind: 'grid', size: 1 } }, 'run: field "build.size" must be an integer >= 2'],
    [{ build: { kind: 'grid' } }, 'run: required field "build.size" is missing'],
    [{ build: { kind: 'grid', size: 4, x: 1 } }, 'run: unknown field(s) "build.x"'],
    [{ name: 'c' }, 'run: field "name" must be one of "a", "b", got "c"'],
  ])('names the field at fault in %j', (change, message) => {
    const run = () => validateFields({ ...ok, ...change }, spec, 'run');
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(message);
  });

  it.each([
    [{ steps: 1.5 }, 'cfg steps: expected an integer or null, got 1.5'],
    [{ steps: 0 }, 'cfg steps: expected an integer >= 1, got 0'],
    [{ rate: 'x' }, 'cfg rate: expected a finite number, got "x"'],
    [{ rate: 0 }, 'cfg rate: expected a number > 0, got 0'],
    [{ rate: 2 }, 'cfg rate: expected a number <= 1, got 2'],
    [{ name: 'c' }, 'cfg name: expected one of a, b, got "c"'],
    [{ build: { kind: 'grid' } }, 'cfg build.size: expected an integer, got nothing'],
    [{ build: { kind: 'grid', size: 4, x: 1 } }, 'cfg: unknown build.x'],
  ])('words errors as told: %j', (change, message) => {
    expect(() => validateFields({ ...ok, ...change }, spec, 'cfg', terse)).toThrow(message);
  });

  it('rejects a config that is not a mapping', () => {
    expect(() => validateFields([], spec, 'run')).toThrow(
      'run: expected an object of config fields, got []',
    );
    expect(() => validateFields(undefined, spec, 'cfg', terse)).toThrow(
      'cfg: not a mapping: nothing',
    );
  });
});
