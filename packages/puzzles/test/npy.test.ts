import { describe, expect, it } from 'vitest';
import {
  decodeNpy,
  encodeNpy,
  encodeNpyHeader,
  type NpyArray,
  NpyFormatError,
  parseNpyHeader,
} from '../src/index.js';

const header = (dict: string) => {
  const text = dict.padEnd(117, ' ') + '\n';
  return Uint8Array.from([
    0x93,
    ...Buffer.from('NUMPY'),
    1,
    0,
    text.length,
    0,
    ...Buffer.from(text, 'latin1'),
  ]);
};

describe('npy bytes', () => {
  it('writes the header numpy writes: v1.0, padded to 64 bytes, trailing comma for 1-D shapes', () => {
    const h = encodeNpyHeader('int32', [7]);
    expect(h.length).toBe(128);
    expect(Buffer.from(h.subarray(10)).toString('latin1')).toBe(
      `${"{'descr': '<i4', 'fortran_order': False, 'shape': (7,), }".padEnd(117, ' ')}\n`,
    );
    expect(
      Buffer.from(encodeNpyHeader('uint8', [24, 900]).subarray(10, 70)).toString('latin1'),
    ).toContain("'descr': '|u1'");
  });

  it('round-trips every supported dtype and shape', () => {
    const cases: NpyArray[] = [
      { dtype: 'uint8', shape: [2, 3], data: Uint8Array.from([0, 1, 2, 253, 254, 255]) },
      { dtype: 'int8', shape: [3], data: Int8Array.from([-128, 0, 127]) },
      { dtype: 'int16', shape: [1, 2], data: Int16Array.from([-300, 300]) },
      { dtype: 'int32', shape: [2, 2, 1], data: Int32Array.from([-2147483648, 0, 1, 2147483647]) },
      { dtype: 'int64', shape: [2], data: BigInt64Array.from([-5n, 1n << 40n]) },
      { dtype: 'float32', shape: [2], data: Float32Array.from([1.5, -0.25]) },
      { dtype: 'float64', shape: [0, 4], data: new Float64Array(0) },
    ];
    for (const a of cases) {
      const back = decodeNpy(encodeNpy(a));
      expect(back.dtype).toBe(a.dtype);
      expect(back.shape).toEqual(a.shape);
      expect(Array.from(back.data as ArrayLike<unknown>)).toEqual(
        Array.from(a.data as ArrayLike<unknown>),
      );
    }
  });

  it('reads version 2.0 headers', () => {
    const text = `${"{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }".padEnd(115, ' ')}\n`;
    const bytes = Uint8Array.from([
      0x93,
      ...Buffer.from('NUMPY'),
      2,
      0,
      text.length,
      0,
      0,
      0,
      ...Buffer.from(text),
      5,
      0,
      0,
      0,
      6,
      0,
      0,
      0,
    ]);
    const a = decodeNpy(bytes);
    expect(Array.from(a.data as Int32Array)).toEqual([5, 6]);
  });

  it('asks for more bytes when the header is cut short', () => {
    expect(parseNpyHeader(encodeNpyHeader('uint8', [3]).subarray(0, 40))).toBeNull();
  });

  it('rejects what it cannot read, naming the source', () => {
    expect(() => decodeNpy(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), 'x.npy')).toThrow(
      /x.npy: not a .npy file/,
    );
    expect(() =>
      decodeNpy(header("{'descr': '>i4', 'fortran_order': False, 'shape': (1,), }"), 'big.npy'),
    ).toThrow(/unsupported dtype '>i4'/);
    expect(() =>
      decodeNpy(header("{'descr': '<i4', 'fortran_order': True, 'shape': (2, 2), }"), 'f.npy'),
    ).toThrow(NpyFormatError);
    expect(() =>
      decodeNpy(header("{'descr': '<i4', 'fortran_order': False, 'shape': (4,), }"), 't.npy'),
    ).toThrow(/truncated data/);
    expect(() => encodeNpy({ dtype: 'uint8', shape: [2, 2], data: new Uint8Array(3) })).toThrow(
      /do not fill/,
    );
  });
});
