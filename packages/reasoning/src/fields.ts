/**
 * Field-by-field validation of raw config objects (JSON, YAML), shared by the model configs
 * and the trainer's: every field present (or defaulted) with the right type and range, no
 * unknown fields, and every error naming the config and the field at fault, in one wording.
 */

/** A config that cannot be used; the message names the config (or file) and the field. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** What one field accepts. `nullable` also accepts `null`; `default` stands in for a missing value. */
export type FieldSpec = { nullable?: boolean } & (
  | { kind: 'int'; min?: number; default?: number | null }
  | { kind: 'number'; min?: number; max?: number; exclusiveMin?: boolean; default?: number }
  | { kind: 'bool'; default?: boolean }
  | { kind: 'enum'; values: readonly string[]; default?: string }
  | { kind: 'string'; default?: string | null }
  | { kind: 'strings' }
  /**
   * A mapping; with `fields`, its own fields are validated too, named `parent.field`; with
   * `byKind`, the fields are those of its `kind` field's value (one spec per kind).
   */
  | {
      kind: 'object';
      fields?: Record<string, FieldSpec>;
      byKind?: Record<string, Record<string, FieldSpec>>;
    }
);

export type ConfigSpec<T> = { [K in keyof T]-?: FieldSpec };

/**
 * The one wording of config errors, for the model configs and the trainer's alike:
 * `config key "lr": expected a finite number, got "fast"`. `label` names the config (or
 * file), `key` the field with its parents (`build_data.seed`), `want` the rule the value
 * broke (`an integer` for 1.5, `an integer >= 1` for 0), `got` the value as shown.
 */
const WORDING = {
  invalid: (label: string, key: string, want: string, got: string) =>
    `${label} key "${key}": expected ${want}, got ${got}`,
  missing: (label: string, key: string, want: string) =>
    `${label} key "${key}": expected ${want}, got nothing`,
  unknown: (label: string, keys: readonly string[]) =>
    `unknown ${label} key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}`,
  notObject: (label: string, got: string) => `${label}: expected a mapping, got ${got}`,
};

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value as an error message shows it: numbers as written, other values as JSON. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  return typeof v === 'number' ? String(v) : JSON.stringify(v);
}

type Rule = 'type' | 'min' | 'max';

/** The first rule `v` breaks, if any. */
function brokenRule(spec: FieldSpec, v: unknown): Rule | undefined {
  if (v === null && spec.nullable) return undefined;
  switch (spec.kind) {
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v)) return 'type';
      return spec.min !== undefined && v < spec.min ? 'min' : undefined;
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v)) return 'type';
      if (spec.min !== undefined && (spec.exclusiveMin ? v <= spec.min : v < spec.min)) {
        return 'min';
      }
      return spec.max !== undefined && v > spec.max ? 'max' : undefined;
    case 'bool':
      return typeof v === 'boolean' ? undefined : 'type';
    case 'enum':
      return typeof v === 'string' && spec.values.includes(v) ? undefined : 'type';
    case 'string':
      return typeof v === 'string' ? undefined : 'type';
    case 'strings':
      return Array.isArray(v) && v.every((s) => typeof s === 'string') ? undefined : 'type';
    case 'object':
      return isPlainObject(v) ? undefined : 'type';
  }
}

/** `spec` with only `rule` left: what the value must be to pass that one rule. */
function onlyRule(spec: FieldSpec, rule: Rule): FieldSpec {
  if (spec.kind !== 'int' && spec.kind !== 'number') return spec;
  if (rule === 'type') return { kind: spec.kind, nullable: spec.nullable };
  if (rule === 'max') return { kind: 'number', max: spec.kind === 'number' ? spec.max : undefined };
  return spec.kind === 'int'
    ? { kind: 'int', min: spec.min }
    : { kind: 'number', min: spec.min, exclusiveMin: spec.exclusiveMin };
}

function accepts(spec: FieldSpec): string {
  let text: string;
  switch (spec.kind) {
    case 'int':
      text = spec.min === undefined ? 'an integer' : `an integer >= ${spec.min}`;
      break;
    case 'number': {
      const { min, max, exclusiveMin } = spec;
      if (min !== undefined && max !== undefined) {
        text = `a number in ${exclusiveMin ? '(' : '['}${min}, ${max}]`;
      } else if (min !== undefined) text = `a number ${exclusiveMin ? '>' : '>='} ${min}`;
      else if (max !== undefined) text = `a number <= ${max}`;
      else text = 'a finite number';
      break;
    }
    case 'bool':
      text = 'true or false';
      break;
    case 'enum': {
      text = spec.values.length === 1 ? spec.values[0] : `one of ${spec.values.join(', ')}`;
      break;
    }
    case 'string':
      text = 'a string';
      break;
    case 'strings':
      text = 'a list of strings';
      break;
    case 'object':
      text = 'a mapping';
      break;
  }
  return spec.nullable ? `${text} or null` : text;
}

/** A mapping's own fields, by `fields` or by the spec its `kind` selects from `byKind`. */
function validateNested(
  value: Record<string, unknown>,
  spec: FieldSpec & { kind: 'object' },
  label: string,
  key: string,
): unknown {
  let fields = spec.fields;
  if (spec.byKind) {
    const kinds = Object.keys(spec.byKind);
    const kindSpec: FieldSpec = { kind: 'enum', values: kinds };
    if (brokenRule(kindSpec, value.kind))
      throw new ConfigError(
        WORDING.invalid(label, `${key}.kind`, accepts(kindSpec), describeValue(value.kind)),
      );
    fields = spec.byKind[value.kind as string];
  }
  return fields ? validateFields(value, fields, label, `${key}.`) : value;
}

/**
 * Checks `raw` against `spec` and returns the typed config, defaults filled in, fields in
 * the order of `spec`. Throws a `ConfigError` naming `label` and the field at fault;
 * `prefix` names nested fields (`build_data.`).
 */
export function validateFields<T>(
  raw: unknown,
  spec: ConfigSpec<T>,
  label: string,
  prefix = '',
): T {
  if (!isPlainObject(raw)) throw new ConfigError(WORDING.notObject(label, describeValue(raw)));
  const unknown = Object.keys(raw).filter((k) => !(k in spec));
  if (unknown.length > 0)
    throw new ConfigError(
      WORDING.unknown(
        label,
        unknown.map((k) => prefix + k),
      ),
    );
  const out: Record<string, unknown> = {};
  for (const [name, fieldSpec] of Object.entries(spec) as Array<[string, FieldSpec]>) {
    const key = prefix + name;
    const given = raw[name];
    const value = given === undefined && 'default' in fieldSpec ? fieldSpec.default : given;
    if (value === undefined) {
      throw new ConfigError(WORDING.missing(label, key, accepts(onlyRule(fieldSpec, 'type'))));
    }
    const rule = brokenRule(fieldSpec, value);
    if (rule) {
      const want = accepts(onlyRule(fieldSpec, rule));
      throw new ConfigError(WORDING.invalid(label, key, want, describeValue(value)));
    }
    out[name] =
      fieldSpec.kind === 'object' && value !== null
        ? validateNested(value as Record<string, unknown>, fieldSpec, label, key)
        : value;
  }
  return out as T;
}
