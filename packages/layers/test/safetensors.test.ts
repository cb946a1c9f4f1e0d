import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { expectTensor, readSafetensors, SafetensorsError, writeSafetensors } from '../src/index';
import { readSafetensorsFile, writeSafetensorsFile } from '../src/node';
import { missing, PARITY } from './helpers';

/** Hand-assembles a file from a header object and a data section. */
function assemble(
  header: unknown,
  data: Uint8Array,
  headerText = JSON.stringify(header),
): Uint8Array {
  const h = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

const sample = () =>
  writeSafetensors(
    {
      w: { dtype: 'F32', shape: [2, 3], data: new Float32Array([1, -2, 3.5, 4, 5, 6]) },
      ids: { dtype: 'I32', shape: [4], data: new Int32Array([-100, 0, 7, 2147483647]) },
    },
    { format: 'pt' },
  );

describe('safetensors round trip', () => {
  test('F32 and I32 tensors and metadata survive write then read, in any insertion order', () => {
    const file = readSafetensors(sample(), 'sample');
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.tensors.get('w')).toEqual({
      dtype: 'F32',
      shape: [2, 3],
      data: new Float32Array([1, -2, 3.5, 4, 5, 6]),
    });
    expect(Array.from(file.tensors.get('ids')!.data)).toEqual([-100, 0, 7, 2147483647]);
    const again = writeSafetensors(
      new Map([
        ['ids', { dtype: 'I32' as const, shape: [4], data: [-100, 0, 7, 2147483647] }],
        ['w', { dtype: 'F32' as const, shape: [2, 3], data: [1, -2, 3.5, 4, 5, 6] }],
      ]),
      { format: 'pt' },
    );
    expect(again).toEqual(sample());
  });

  test('the data section starts 8-byte aligned and scalars (shape []) work', () => {
    const bytes = writeSafetensors({ s: { dtype: 'F32', shape: [], data: [2.5] } });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    expect(readSafetensors(bytes).tensors.get('s')).toEqual({
      dtype: 'F32',
      shape: [],
      data: new Float32Array([2.5]),
    });
  });

  test('reads F64, F16, BF16, I64, U8 and BOOL', () => {
    const data = new Uint8Array(4 + 4 + 16 + 2 + 2 + 8);
    const v = new DataView(data.buffer);
    v.setUint16(0, 0x3c00, true); // f16 1.0
    v.setUint16(2, 0xc500, true); // f16 -5.0
    v.setUint16(4, 0x3fc0, true); // bf16 1.5
    v.setUint16(6, 0x0000, true); // bf16 0
    v.setBigInt64(8, -3n, true);
    v.setBigInt64(16, 123456789n, true);
    data.set([7, 255], 24);
    data.set([1, 0], 26);
    v.setFloat64(28, 1 / 3, true);
    const file = readSafetensors(
      assemble(
        {
          h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] },
          b: { dtype: 'BF16', shape: [2], data_offsets: [4, 8] },
          l: { dtype: 'I64', shape: [2], data_offsets: [8, 24] },
          u: { dtype: 'U8', shape: [2], data_offsets: [24, 26] },
          m: { dtype: 'BOOL', shape: [2], data_offsets: [26, 28] },
          d: { dtype: 'F64', shape: [], data_offsets: [28, 36] },
        },
        data,
      ),
    );
    expect(Array.from(file.tensors.get('h')!.data)).toEqual([1, -5]);
    expect(Array.from(file.tensors.get('b')!.data)).toEqual([1.5, 0]);
    expect(file.tensors.get('l')!.data).toEqual(new Int32Array([-3, 123456789]));
    expect(Array.from(file.tensors.get('u')!.data)).toEqual([7, 255]);
    expect(Array.from(file.tensors.get('m')!.data)).toEqual([1, 0]);
    expect(file.tensors.get('d')!.data).toEqual(new Float64Array([1 / 3]));
  });

  test('Node file helpers write atomically and read back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rrm-st-'));
    const path = join(dir, 'a.safetensors');
    await writeSafetensorsFile(path, { x: { dtype: 'F32', shape: [1], data: [3] } });
    expect((await readSafetensorsFile(path)).tensors.get('x')!.data).toEqual(new Float32Array([3]));
    await expect(readSafetensorsFile(join(dir, 'nope.safetensors'))).rejects.toThrow(
      /nope\.safetensors: cannot read/,
    );
  });
});

describe('safetensors rejects bad input with the file and tensor named', () => {
  const f32 = (n: number) => new Uint8Array(4 * n);
  const cases: Array<[string, () => Uint8Array, RegExp]> = [
    [
      'a buffer shorter than the length field',
      () => new Uint8Array(5),
      /bad\.st: truncated: 5 bytes/,
    ],
    [
      'a truncated data section',
      () => sample().subarray(0, sample().length - 3),
      /bad\.st: tensor "w": data_offsets \[16, 40\] run past/,
    ],
    [
      'a header length past the end',
      () => sample().subarray(0, 20),
      /bad\.st: header length \d+ exceeds/,
    ],
    [
      'a header that is not JSON',
      () => assemble(null, new Uint8Array(0), '{"w": {"dtype": "F32",'),
      /bad\.st: corrupt header/,
    ],
    [
      'a header that is a JSON array',
      () => assemble([1, 2], new Uint8Array(0)),
      /bad\.st: corrupt header: expected a JSON object/,
    ],
    [
      'an unknown dtype',
      () => assemble({ w: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)),
      /bad\.st: tensor "w": unsupported dtype "C64"/,
    ],
    [
      'a shape whose size disagrees with the byte range',
      () => assemble({ w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 12] } }, f32(3)),
      /bad\.st: tensor "w": shape \[2, 2\] of F32 needs 16 bytes but data_offsets span 12/,
    ],
    [
      'a negative dimension',
      () => assemble({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32(1)),
      /bad\.st: tensor "w": shape must be a list of non-negative integers/,
    ],
    [
      'overlapping byte ranges',
      () =>
        assemble(
          {
            a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
            b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
          },
          f32(3),
        ),
      /bad\.st: tensor "b": data_offsets \[4, 12\] overlap another tensor/,
    ],
    [
      'an out-of-range offset',
      () => assemble({ a: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, f32(2)),
      /bad\.st: tensor "a": data_offsets \[4, 12\] run past the 8 data bytes/,
    ],
    [
      'reversed offsets',
      () => assemble({ a: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, f32(1)),
      /bad\.st: tensor "a": data_offsets must be \[begin, end\]/,
    ],
    [
      'unused bytes between tensors',
      () =>
        assemble(
          {
            a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
            b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
          },
          f32(3),
        ),
      /bad\.st: tensor "b": gap before data_offsets/,
    ],
    [
      'trailing bytes',
      () => assemble({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32(2)),
      /bad\.st: 4 trailing bytes/,
    ],
    [
      'an I64 that does not fit int32',
      () => {
        const d = new Uint8Array(8);
        new DataView(d.buffer).setBigInt64(0, 1n << 40n, true);
        return assemble({ a: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, d);
      },
      /bad\.st: tensor "a": I64 value 1099511627776 at index 0 does not fit int32/,
    ],
  ];
  test.each(cases)('%s', (_what, make, message) => {
    const bytes = make();
    expect(() => readSafetensors(bytes, 'bad.st')).toThrow(SafetensorsError);
    expect(() => readSafetensors(bytes, 'bad.st')).toThrow(message);
  });

  test('expectTensor checks dtype and shape', () => {
    const file = readSafetensors(sample(), 'sample.st');
    expect(expectTensor(file, 'w', { dtype: 'F32', shape: [2, -1] }, 'sample.st').shape).toEqual([
      2, 3,
    ]);
    expect(() => expectTensor(file, 'w', { shape: [3, 2] }, 'sample.st')).toThrow(
      'sample.st: tensor "w": shape [2, 3], expected [3, 2]',
    );
    expect(() => expectTensor(file, 'ids', { dtype: ['F32', 'BF16'] }, 'sample.st')).toThrow(
      'sample.st: tensor "ids": dtype I32, expected F32 or BF16',
    );
    expect(() => expectTensor(file, 'nope', {}, 'sample.st')).toThrow(
      'sample.st: tensor "nope": missing',
    );
  });

  test('writing refuses other dtypes and a data length that disagrees with the shape', () => {
    expect(() => writeSafetensors({ a: { dtype: 'F32', shape: [2], data: [1] } })).toThrow(
      'tensor "a": shape [2] has 2 elements but data has 1',
    );
    expect(() => writeSafetensors({ a: { dtype: 'F16' as 'F32', shape: [1], data: [1] } })).toThrow(
      /can only write F32 or I32/,
    );
  });
});

const optimizers = `${PARITY}/optimizers.safetensors`;
describe.skipIf(missing(optimizers))(`reference files (${optimizers})`, () => {
  test('every parity file parses, and re-writing it gives identical tensors', async () => {
    const bytes = readFileSync(optimizers);
    const file = readSafetensors(bytes, optimizers);
    expect(file.tensors.get('signsgd/ids')).toEqual({
      dtype: 'I32',
      shape: [6],
      data: new Int32Array([1, 3, 1, 0, 6, 3]),
    });
    const copy = readSafetensors(writeSafetensors(file.tensors as Map<string, never>));
    expect(copy.tensors).toEqual(file.tensors);
    const dir = await mkdtemp(join(tmpdir(), 'rrm-st-'));
    await writeFile(join(dir, 'x'), await readFile(optimizers));
    expect((await readSafetensorsFile(join(dir, 'x'))).tensors.size).toBe(file.tensors.size);
  });
});
