/**
 * `{split}/dataset.json` of the reference layout, and the Python-style JSON the
 * reference writes (", " and ": " separators, floats keep their ".0"), so that a
 * round trip through this package reproduces the files byte for byte.
 */

export interface PuzzleDatasetMetadata {
  pad_id: number;
  ignore_label_id: number | null;
  blank_identifier_id: number;
  vocab_size: number;
  seq_len: number;
  num_puzzle_identifiers: number;
  total_groups: number;
  mean_puzzle_examples: number;
  total_puzzles: number;
  sets: string[];
}

export const METADATA_FIELDS = [
  'pad_id',
  'ignore_label_id',
  'blank_identifier_id',
  'vocab_size',
  'seq_len',
  'num_puzzle_identifiers',
  'total_groups',
  'mean_puzzle_examples',
  'total_puzzles',
  'sets',
] as const;

export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}

/**
 * Check a parsed dataset.json; `source` names the file in errors. `defaults` fill
 * fields an older writer left out (HRM's builders write no `total_puzzles`).
 */
export function validateMetadata(
  value: unknown,
  source: string,
  defaults: Partial<PuzzleDatasetMetadata> = {},
): PuzzleDatasetMetadata {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DatasetError(`${source}: expected a JSON object`);
  }
  const obj = { ...defaults, ...(value as Record<string, unknown>) };
  for (const key of METADATA_FIELDS) {
    if (!(key in obj)) throw new DatasetError(`${source}: missing field "${key}"`);
    const v = obj[key];
    if (key === 'sets') {
      if (
        !Array.isArray(v) ||
        v.length === 0 ||
        !v.every((s) => typeof s === 'string' && /^[\w.-]+$/.test(s))
      ) {
        throw new DatasetError(`${source}: "sets" must be a non-empty list of simple names`);
      }
    } else if (key === 'mean_puzzle_examples') {
      if (typeof v !== 'number' || !(v >= 0))
        throw new DatasetError(`${source}: "${key}" must be a number >= 0`);
    } else if (key === 'ignore_label_id' && v === null) {
      // The reference allows no ignored label.
    } else if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      throw new DatasetError(
        `${source}: "${key}" must be an integer >= 0, got ${JSON.stringify(v)}`,
      );
    }
  }
  const m = obj as unknown as PuzzleDatasetMetadata;
  if (m.seq_len < 1 || m.vocab_size < 1)
    throw new DatasetError(`${source}: seq_len and vocab_size must be >= 1`);
  return {
    pad_id: m.pad_id,
    ignore_label_id: m.ignore_label_id,
    blank_identifier_id: m.blank_identifier_id,
    vocab_size: m.vocab_size,
    seq_len: m.seq_len,
    num_puzzle_identifiers: m.num_puzzle_identifiers,
    total_groups: m.total_groups,
    mean_puzzle_examples: m.mean_puzzle_examples,
    total_puzzles: m.total_puzzles,
    sets: [...m.sets],
  };
}

/** A JSON value in which some numbers must print as Python floats. */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** Serialise like Python's `json.dumps` with default separators. */
export function pythonJson(value: unknown): string {
  if (value instanceof PyFloat) {
    const s = JSON.stringify(value.value);
    return Number.isInteger(value.value) && !s.includes('e')
      ? `${s}.0`
      : s.replace(/e([+-])(\d)$/, (_m, sign: string, digit: string) => `e${sign}0${digit}`);
  }
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${pythonJson(v)}`)
      .join(', ')}}`;
  }
  // Python escapes non-ASCII characters by default.
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function metadataJson(m: PuzzleDatasetMetadata): string {
  const ordered: Record<string, unknown> = {};
  for (const key of METADATA_FIELDS)
    ordered[key] = key === 'mean_puzzle_examples' ? new PyFloat(m[key]) : m[key];
  return pythonJson(ordered);
}
