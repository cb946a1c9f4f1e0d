/**
 * Field-by-field validation of raw config objects (JSON, YAML), shared by the model configs
 * and the trainer's: every field present (or defaulted) with the right type and range, no
 * unknown fields, and every error naming the config and the field at fault.
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
  | { kind: 'int'; min?: number; default?: number }
  | { kind: 'number'; min?: number; max?: number; exclusiveMin?: boolean; default?: number }
  | { kind: 'bool'; default?: boolean }
  | { kind: 'enum'; values: readonly string[]; default?: string }
  | { kind: 'string'; default?: string | null }
  | { kind: 'strings' }
  /** A mapping; with `fields`, its own fields are validated too, named `parent.field`. */
  | { kind: 'object'; fields?: Record<string, FieldSpec> }
);

export type ConfigSpec<T> = { [K in keyof T]-?: FieldSpec };

/**
 * How errors read. `label` names the config being checked, `key` the field (with its
 * parents: `build_data.seed`), `want` what the field accepts, `got` the value as shown.
 */
export interface FieldWording {
  /**
   * `accepted`: say all that the field accepts (`an integer >= 1`, even for 1.5);
   * `broken`: only the rule the value broke (`an integer` for 1.5, `an integer >= 1` for 0).
   */
  want: 'accepted' | 'broken';
  /** Quote the choices of an `enum` field (`"rope", "learned"`) rather than list them bare. */
  quoteChoices: boolean;
  invalid(label: string, key: string, want: string, got: string): string;
  missing(label: string, key: string, want: string): string;
  unknown(label: string, keys: readonly string[], known: readonly string[]): string;
  notObject(label: string, got: string): string;
}

/** The model configs' wording: `TRM config: field "hidden_size" must be an integer >= 1, got 0`. */
export const FIELD_WORDING: FieldWording = {
  want: 'accepted',
  quoteChoices: true,
  invalid: (label, key, want, got) => `${label}: field "${key}" must be ${want}, got ${got}`,
  missing: (label, key) => `${label}: required field "${key}" is missing`,
  unknown: (label, keys, known) =>
    `${label}: unknown field(s) ${keys.map((k) => `"${k}"`).join(', ')}; ` +
    `known fields are ${known.join(', ')}`,
  notObject: (label, got) => `${label}: expected an object of config fields, got ${got}`,
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

function accepts(spec: FieldSpec, quoteChoices: boolean): string {
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
      const choices = spec.values.map((v) => (quoteChoices ? JSON.stringify(v) : v));
      text = choices.length === 1 ? choices[0] : `one of ${choices.join(', ')}`;
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

/**
 * Checks `raw` against `spec` and returns the typed config, defaults filled in, fields in
 * the order of `spec`. Throws a `ConfigError` worded by `wording` (the model configs' by
 * default) naming `label` and the field at fault; `prefix` names nested fields
 * (`build_data.`).
 */
export function validateFields<T>(
  raw: unknown,
  spec: ConfigSpec<T>,
  label: string,
  wording: FieldWording = FIELD_WORDING,
  prefix = '',
): T {
  if (!isPlainObject(raw)) throw new ConfigError(wording.notObject(label, describeValue(raw)));
  const unknown = Object.keys(raw).filter((k) => !(k in spec));
  if (unknown.length > 0) {
    const named = (keys: string[]) => keys.map((k) => prefix + k);
    throw new ConfigError(wording.unknown(label, named(unknown), named(Object.keys(spec))));
  }
  const out: Record<string, unknown> = {};
  for (const [name, fieldSpec] of Object.entries(spec) as Array<[string, FieldSpec]>) {
    const key = prefix + name;
    const given = raw[name];
    const value = given === undefined && 'default' in fieldSpec ? fieldSpec.default : given;
    const want = (rule: Rule) =>
      accepts(
        wording.want === 'accepted' ? fieldSpec : onlyRule(fieldSpec, rule),
        wording.quoteChoices,
      );
    if (value === undefined) throw new ConfigError(wording.missing(label, key, want('type')));
    const rule = brokenRule(fieldSpec, value);
    if (rule) throw new ConfigError(wording.invalid(label, key, want(rule), describeValue(value)));
    out[name] =
      fieldSpec.kind === 'object' && fieldSpec.fields && value !== null
        ? validateFields(value, fieldSpec.fields, label, wording, `${key}.`)
        : value;
  }
  return out as T;
}
