/**
 * One split of the reference layout held as rows plus the index arrays:
 * `puzzle_indices[p]..puzzle_indices[p+1]` are the examples of puzzle p,
 * `group_indices[g]..group_indices[g+1]` the puzzles of group g (an original
 * puzzle and its augmented variants), `puzzle_identifiers[p]` its embedding id.
 */
import { DatasetError, type PuzzleDatasetMetadata } from './metadata.js';
import type { NpyData } from './npy.js';

/** Rows of a 2-D integer array, read one at a time so that big files need not sit in memory. */
export interface RowSource {
  readonly numRows: number;
  readonly rowLength: number;
  /** Copy row `row` into `out` starting at `offset`. */
  readRow(row: number, out: Int32Array, offset: number): void;
  /**
   * Visit every value in C order, a chunk at a time (`first`: index of the chunk's first
   * value), so that a check over a file-backed source needs no row-by-row reads.
   */
  scan(visit: (values: ArrayLike<number>, first: number) => void): void;
}

/** Rows held in memory (a whole small array, or one built by a generator). */
export class MemoryRows implements RowSource {
  constructor(
    readonly data: Exclude<NpyData, BigInt64Array | Float32Array | Float64Array>,
    readonly numRows: number,
    readonly rowLength: number,
  ) {
    if (data.length !== numRows * rowLength) {
      throw new DatasetError(
        `MemoryRows: ${data.length} values do not make ${numRows} rows of ${rowLength}`,
      );
    }
  }

  readRow(row: number, out: Int32Array, offset: number): void {
    const start = row * this.rowLength;
    out.set(this.data.subarray(start, start + this.rowLength), offset);
  }

  scan(visit: (values: ArrayLike<number>, first: number) => void): void {
    visit(this.data, 0);
  }
}

export interface PuzzleSet {
  inputs: RowSource;
  labels: RowSource;
  puzzleIdentifiers: Int32Array;
  puzzleIndices: Int32Array;
  groupIndices: Int32Array;
}

export interface PuzzleSplit {
  metadata: PuzzleDatasetMetadata;
  /** In the order of `metadata.sets`. */
  sets: Record<string, PuzzleSet>;
}

function checkIndex(a: Int32Array, end: number, name: string, source: string): void {
  if (a.length < 1 || a[0] !== 0) throw new DatasetError(`${source}: ${name} must start with 0`);
  for (let i = 1; i < a.length; i++) {
    if (a[i] < a[i - 1]) throw new DatasetError(`${source}: ${name} decreases at position ${i}`);
  }
  if (a[a.length - 1] !== end) {
    throw new DatasetError(`${source}: ${name} ends at ${a[a.length - 1]}, expected ${end}`);
  }
}

/**
 * Tokens outside the vocabulary would one-hot to nothing and train or score silently wrong,
 * so they are refused by position. Labels may also be `ignore_label_id`.
 */
function checkTokens(
  rows: RowSource,
  name: 'inputs' | 'labels',
  metadata: PuzzleDatasetMetadata,
  source: string,
): void {
  const vocab = metadata.vocab_size;
  const ignore = name === 'labels' ? metadata.ignore_label_id : null;
  rows.scan((values, first) => {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if ((v >= 0 && v < vocab) || v === ignore) continue;
      const at = first + i;
      const row = Math.floor(at / rows.rowLength);
      const allowed = ignore === null ? '' : ` or the ignore label ${ignore}`;
      throw new DatasetError(
        `${source}: ${name}[${row}, ${at - row * rows.rowLength}] = ${v} is outside the vocabulary [0, ${vocab})${allowed} of dataset.json`,
      );
    }
  });
}

/** Check that a set's arrays agree with each other and with the split's metadata. */
export function validatePuzzleSet(
  set: PuzzleSet,
  metadata: PuzzleDatasetMetadata,
  source: string,
): void {
  const { inputs, labels, puzzleIdentifiers, puzzleIndices, groupIndices } = set;
  if (inputs.numRows !== labels.numRows) {
    throw new DatasetError(`${source}: ${inputs.numRows} inputs but ${labels.numRows} labels`);
  }
  for (const [name, rows] of [
    ['inputs', inputs],
    ['labels', labels],
  ] as const) {
    if (rows.rowLength !== metadata.seq_len) {
      throw new DatasetError(
        `${source}: ${name} rows have length ${rows.rowLength}, dataset.json says seq_len ${metadata.seq_len}`,
      );
    }
  }
  if (puzzleIndices.length !== puzzleIdentifiers.length + 1) {
    throw new DatasetError(
      `${source}: ${puzzleIdentifiers.length} puzzle identifiers need ${puzzleIdentifiers.length + 1} puzzle indices, found ${puzzleIndices.length}`,
    );
  }
  checkIndex(puzzleIndices, inputs.numRows, 'puzzle_indices', source);
  checkIndex(groupIndices, puzzleIdentifiers.length, 'group_indices', source);
  for (let i = 0; i < puzzleIdentifiers.length; i++) {
    const id = puzzleIdentifiers[i];
    if (id < 0 || id >= metadata.num_puzzle_identifiers) {
      throw new DatasetError(
        `${source}: puzzle_identifiers[${i}] = ${id} is outside [0, ${metadata.num_puzzle_identifiers})`,
      );
    }
  }
  checkTokens(inputs, 'inputs', metadata, source);
  checkTokens(labels, 'labels', metadata, source);
}

/**
 * The split-wide counts of `dataset.json` against its sets' arrays: the sampler's epoch
 * length and the trainer's step count come from `total_groups`.
 */
export function validateSplitCounts(split: PuzzleSplit, source: string): void {
  const { metadata } = split;
  let groups = 0;
  let puzzles = 0;
  for (const name of metadata.sets) {
    const set = split.sets[name];
    if (!set) throw new DatasetError(`${source}: set "${name}" is listed but has no arrays`);
    groups += set.groupIndices.length - 1;
    puzzles += set.puzzleIdentifiers.length;
  }
  if (metadata.total_groups !== groups) {
    throw new DatasetError(
      `${source}: "total_groups" is ${metadata.total_groups}, but the index arrays hold ${groups}`,
    );
  }
  // The reference builders disagree: ARC counts every puzzle, augmentations included; the
  // Sudoku and maze builders count one per original puzzle (= groups). Either is valid.
  if (metadata.total_puzzles !== puzzles && metadata.total_puzzles !== groups) {
    throw new DatasetError(
      `${source}: "total_puzzles" is ${metadata.total_puzzles}, but the index arrays hold ${puzzles} puzzles in ${groups} groups`,
    );
  }
  if (metadata.pad_id >= metadata.vocab_size) {
    throw new DatasetError(
      `${source}: "pad_id" ${metadata.pad_id} is outside the vocabulary [0, ${metadata.vocab_size})`,
    );
  }
  if (metadata.blank_identifier_id >= metadata.num_puzzle_identifiers) {
    throw new DatasetError(
      `${source}: "blank_identifier_id" ${metadata.blank_identifier_id} is outside [0, ${metadata.num_puzzle_identifiers})`,
    );
  }
}

/** A set built in memory from integer arrays (generators, tests). */
export function memorySet(arrays: {
  inputs: Exclude<NpyData, BigInt64Array | Float32Array | Float64Array>;
  labels: Exclude<NpyData, BigInt64Array | Float32Array | Float64Array>;
  puzzleIdentifiers: ArrayLike<number>;
  puzzleIndices: ArrayLike<number>;
  groupIndices: ArrayLike<number>;
  seqLen: number;
}): PuzzleSet {
  const rows = arrays.inputs.length / arrays.seqLen;
  return {
    inputs: new MemoryRows(arrays.inputs, rows, arrays.seqLen),
    labels: new MemoryRows(arrays.labels, arrays.labels.length / arrays.seqLen, arrays.seqLen),
    puzzleIdentifiers: Int32Array.from(arrays.puzzleIdentifiers),
    puzzleIndices: Int32Array.from(arrays.puzzleIndices),
    groupIndices: Int32Array.from(arrays.groupIndices),
  };
}

/**
 * About how many bytes the in-memory generators (`generateSudokuDataset`,
 * `generateMazeDataset`) hold for `examples` examples of `seqLen` tokens before anything is
 * written: the generated puzzle, its encoded example and the split's flat copy (measured at
 * about 0.5 KB per 9×9 Sudoku). Callers refuse builds that cannot fit in memory up front.
 */
export function generatedDatasetBytes(examples: number, seqLen: number): number {
  return examples * (4 * seqLen + 256);
}
