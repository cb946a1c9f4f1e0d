/**
 * The reference directory layout (Node):
 *   {train,test}/{set}__{inputs,labels,puzzle_identifiers,puzzle_indices,group_indices}.npy
 *   {train,test}/dataset.json, identifiers.json, and for ARC test_puzzles.json.
 */
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import {
  MemoryRows,
  type PuzzleSet,
  type PuzzleSplit,
  type RowSource,
  validatePuzzleSet,
  validateSplitCounts,
} from './dataset.js';
import {
  DatasetError,
  metadataJson,
  type PuzzleDatasetMetadata,
  pythonJson,
  validateMetadata,
} from './metadata.js';
import { type NpyDtype, toInt32 } from './npy.js';
import { NpyFile, NpyWriter } from './npy-file.js';

export const SPLITS = ['train', 'test'] as const;
export const FIELDS = [
  'inputs',
  'labels',
  'puzzle_identifiers',
  'puzzle_indices',
  'group_indices',
] as const;

export function arrayPath(
  dir: string,
  split: string,
  set: string,
  field: (typeof FIELDS)[number],
): string {
  return join(dir, split, `${set}__${field}.npy`);
}

function readJson(path: string): unknown {
  if (!existsSync(path)) throw new DatasetError(`${path}: file not found`);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new DatasetError(`${path}: invalid JSON (${(e as Error).message})`);
  }
}

export function readMetadata(dir: string, split: string): PuzzleDatasetMetadata {
  const path = join(dir, split, 'dataset.json');
  const raw = readJson(path) as Record<string, unknown>;
  // HRM-era datasets have no total_puzzles: count it from the identifier arrays' shapes.
  const defaults: Partial<PuzzleDatasetMetadata> = {};
  if (raw && typeof raw === 'object' && !('total_puzzles' in raw) && Array.isArray(raw.sets)) {
    defaults.total_puzzles = raw.sets.reduce((total: number, set: unknown) => {
      const f = new NpyFile(arrayPath(dir, split, String(set), 'puzzle_identifiers'));
      f.close();
      return total + f.numRows;
    }, 0);
  }
  return validateMetadata(raw, path, defaults);
}

export function readIdentifiers(dir: string): string[] {
  const path = join(dir, 'identifiers.json');
  const ids = readJson(path);
  if (!Array.isArray(ids) || !ids.every((s) => typeof s === 'string')) {
    throw new DatasetError(`${path}: expected a list of strings`);
  }
  return ids;
}

/** A split read from disk; `close` releases the files of row-wise sources. */
export interface OpenedSplit extends PuzzleSplit {
  close(): void;
}

export interface ReadSplitOptions {
  /**
   * 'memory' reads inputs and labels whole; 'file' reads a row at a time from disk.
   * Default: 'memory' below 256 MB per array.
   */
  rows?: 'memory' | 'file';
}

const MEMORY_LIMIT_BYTES = 256 * 2 ** 20;

export function readSplit(dir: string, split: string, options: ReadSplitOptions = {}): OpenedSplit {
  const metadata = readMetadata(dir, split);
  const opened: NpyFile[] = [];
  const close = () => {
    for (const f of opened) f.close();
  };
  const open = (path: string) => {
    if (!existsSync(path)) throw new DatasetError(`${path}: file not found`);
    const f = new NpyFile(path);
    opened.push(f);
    return f;
  };
  try {
    const sets: Record<string, PuzzleSet> = {};
    for (const name of metadata.sets) {
      const rows = (field: 'inputs' | 'labels'): RowSource => {
        const path = arrayPath(dir, split, name, field);
        const f = open(path);
        if (f.header.shape.length !== 2)
          throw new DatasetError(
            `${path}: expected 2 dimensions, found [${f.header.shape.join(', ')}]`,
          );
        const inMemory =
          options.rows === 'memory' ||
          (options.rows === undefined && statSync(path).size < MEMORY_LIMIT_BYTES);
        if (!inMemory) return f;
        const { data, dtype } = f.readAll();
        if (data instanceof BigInt64Array || dtype === 'float32' || dtype === 'float64') {
          return new MemoryRows(toInt32(data, path), f.numRows, f.rowLength);
        }
        return new MemoryRows(
          data as Exclude<typeof data, BigInt64Array | Float32Array | Float64Array>,
          f.numRows,
          f.rowLength,
        );
      };
      const ints = (field: 'puzzle_identifiers' | 'puzzle_indices' | 'group_indices') => {
        const path = arrayPath(dir, split, name, field);
        const f = open(path);
        if (f.header.shape.length !== 1)
          throw new DatasetError(
            `${path}: expected 1 dimension, found [${f.header.shape.join(', ')}]`,
          );
        return toInt32(f.readAll().data, path);
      };
      sets[name] = {
        inputs: rows('inputs'),
        labels: rows('labels'),
        puzzleIdentifiers: ints('puzzle_identifiers'),
        puzzleIndices: ints('puzzle_indices'),
        groupIndices: ints('group_indices'),
      };
      validatePuzzleSet(sets[name], metadata, join(dir, split, `${name}__*.npy`));
    }
    validateSplitCounts({ metadata, sets }, join(dir, split, 'dataset.json'));
    // Memory-resident arrays need no open file.
    for (const f of opened)
      if (!Object.values(sets).some((s) => s.inputs === f || s.labels === f)) f.close();
    return { metadata, sets, close };
  } catch (e) {
    close();
    throw e;
  }
}

/** The token dtype the reference builders write: uint8 whenever the vocabulary fits. */
export function tokenDtype(vocabSize: number): NpyDtype {
  return vocabSize <= 256 ? 'uint8' : 'int32';
}

export interface SetCounts {
  examples: number;
  puzzles: number;
  groups: number;
}

/**
 * Streams one set of a split to disk. The number of examples must be known up
 * front (the .npy header holds the shape); indices are kept in memory, they are small.
 */
export class PuzzleSetWriter {
  private readonly inputs: NpyWriter;
  private readonly labels: NpyWriter;
  private readonly identifiers: number[] = [];
  private readonly puzzleIndices: number[] = [0];
  private readonly groupIndices: number[] = [0];
  private examples = 0;

  constructor(
    private readonly dir: string,
    private readonly split: string,
    private readonly set: string,
    readonly options: { numExamples: number; seqLen: number; dtype: NpyDtype },
  ) {
    mkdirSync(join(dir, split), { recursive: true });
    const shape = [options.numExamples, options.seqLen];
    this.inputs = new NpyWriter(arrayPath(dir, split, set, 'inputs'), options.dtype, shape);
    this.labels = new NpyWriter(arrayPath(dir, split, set, 'labels'), options.dtype, shape);
  }

  addExample(input: ArrayLike<number>, label: ArrayLike<number>): void {
    if (input.length !== this.options.seqLen || label.length !== this.options.seqLen) {
      throw new DatasetError(
        `${this.split}/${this.set}: example of length ${input.length}/${label.length}, seq_len is ${this.options.seqLen}`,
      );
    }
    this.inputs.append(input);
    this.labels.append(label);
    this.examples++;
  }

  /** Close the puzzle made of the examples added since the previous one. */
  endPuzzle(identifier: number): void {
    this.puzzleIndices.push(this.examples);
    this.identifiers.push(identifier);
  }

  endGroup(): void {
    this.groupIndices.push(this.identifiers.length);
  }

  close(): SetCounts {
    if (this.puzzleIndices[this.puzzleIndices.length - 1] !== this.examples) {
      throw new DatasetError(`${this.split}/${this.set}: examples added after the last puzzle`);
    }
    if (this.groupIndices[this.groupIndices.length - 1] !== this.identifiers.length) {
      throw new DatasetError(`${this.split}/${this.set}: puzzles added after the last group`);
    }
    this.inputs.close();
    this.labels.close();
    const write = (field: (typeof FIELDS)[number], values: number[]) => {
      const w = new NpyWriter(arrayPath(this.dir, this.split, this.set, field), 'int32', [
        values.length,
      ]);
      w.append(values);
      w.close();
    };
    write('puzzle_identifiers', this.identifiers);
    write('puzzle_indices', this.puzzleIndices);
    write('group_indices', this.groupIndices);
    return {
      examples: this.examples,
      puzzles: this.identifiers.length,
      groups: this.groupIndices.length - 1,
    };
  }
}

export function writeMetadata(dir: string, split: string, metadata: PuzzleDatasetMetadata): void {
  mkdirSync(join(dir, split), { recursive: true });
  writeFileSync(join(dir, split, 'dataset.json'), metadataJson(metadata));
}

/**
 * Builds a dataset folder whole: `write` fills a temporary folder beside `dir`, which then
 * replaces `dir` by a rename, so an interrupted build is never mistaken for a dataset.
 */
export function buildDatasetFolder(dir: string, write: (tmp: string) => void): void {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(dirname(tmp), { recursive: true });
  try {
    write(tmp);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

export function writeIdentifiers(dir: string, identifiers: string[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'identifiers.json'), pythonJson(identifiers));
}

/** Write a split held in memory (or any row sources), with dtype as the reference writes it. */
export function writeSplit(
  dir: string,
  split: string,
  data: PuzzleSplit,
  dtype = tokenDtype(data.metadata.vocab_size),
): void {
  validateSplitCounts(data, `${split}/dataset.json`);
  for (const name of data.metadata.sets) {
    const set = data.sets[name];
    if (!set) throw new DatasetError(`writeSplit: set "${name}" listed in metadata is missing`);
    validatePuzzleSet(set, data.metadata, `${split}/${name}`);
    const seqLen = set.inputs.rowLength;
    const writer = new PuzzleSetWriter(dir, split, name, {
      numExamples: set.inputs.numRows,
      seqLen,
      dtype,
    });
    const input = new Int32Array(seqLen);
    const label = new Int32Array(seqLen);
    let group = 0;
    for (let p = 0; p < set.puzzleIdentifiers.length; p++) {
      for (let e = set.puzzleIndices[p]; e < set.puzzleIndices[p + 1]; e++) {
        set.inputs.readRow(e, input, 0);
        set.labels.readRow(e, label, 0);
        writer.addExample(input, label);
      }
      writer.endPuzzle(set.puzzleIdentifiers[p]);
      while (group + 1 < set.groupIndices.length && set.groupIndices[group + 1] === p + 1) {
        writer.endGroup();
        group++;
      }
    }
    writer.close();
  }
  writeMetadata(dir, split, data.metadata);
}
