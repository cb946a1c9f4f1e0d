import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
// The shared damage generator of the parsers' property tests.
import { mutatedBytes, PROPERTY_RUNS, readsOrNames } from '../../puzzles/test/mutate.js';
import { readSafetensors, SafetensorsError, writeSafetensors } from '../src/index.js';

describe('safetensors on damaged input: a correct read or a named error', () => {
  it('never crashes, and every tensor read fills its shape', () => {
    const valid = writeSafetensors(
      {
        'a.weight': { dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
        b: { dtype: 'I32', shape: [4], data: Int32Array.from([7, 8, 9, 10]) },
      },
      { format: 'pt' },
    );
    fc.assert(
      fc.property(mutatedBytes(valid), (bytes) =>
        readsOrNames(() => {
          for (const t of readSafetensors(bytes, 'm.safetensors').tensors.values())
            expect(t.data.length).toBe(t.shape.reduce((x, y) => x * y, 1));
        }, [SafetensorsError]),
      ),
      PROPERTY_RUNS,
    );
  });
});
