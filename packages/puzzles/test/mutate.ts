/**
 * Arbitrary damage to a valid file, for the parsers' property tests (also used by other
 * packages' tests): flipped, deleted and inserted bytes, a truncation, and digits or
 * delimiters written into text, seeded so that a failure reproduces.
 */
import fc from 'fast-check';

/** Settings every parser property uses: bounded, reproducible runs. */
export const PROPERTY_RUNS = { numRuns: 200, seed: 15, endOnFailure: true } as const;

const TEXT_BYTES = [...'0123456789-.,:;"\'[]{}()eE\n \t#|!&*xN'].map((c) => c.charCodeAt(0));

type Edit =
  | { kind: 'set'; at: number; byte: number }
  | { kind: 'insert'; at: number; byte: number }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'truncate'; at: number };

const byte = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(...TEXT_BYTES));
const at = fc.nat({ max: 1 << 20 });
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at, byte }),
  fc.record({ kind: fc.constant('insert' as const), at, byte }),
  fc.record({ kind: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at }),
);

function apply(bytes: Uint8Array, edits: Edit[]): Uint8Array {
  let out = Array.from(bytes);
  for (const e of edits) {
    if (out.length === 0) break;
    const i = e.at % out.length;
    if (e.kind === 'set') out[i] = e.byte;
    else if (e.kind === 'insert') out.splice(i, 0, e.byte);
    else if (e.kind === 'delete') out.splice(i, e.length);
    else out = out.slice(0, i);
  }
  return Uint8Array.from(out);
}

/** `valid` with one to four edits. */
export function mutatedBytes(valid: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => apply(valid, edits));
}

/** `valid` text with one to four byte edits, read back as UTF-8 (invalid bytes become U+FFFD). */
export function mutatedText(valid: string): fc.Arbitrary<string> {
  return mutatedBytes(new TextEncoder().encode(valid)).map((b) => new TextDecoder().decode(b));
}

/**
 * Runs `parse`; passes when it returns, or throws one of `named`. Anything else (a
 * TypeError, a RangeError, a bare Error) is a crash and fails the property.
 */
export function readsOrNames(
  parse: () => unknown,
  named: Array<new (...a: never[]) => Error>,
): boolean {
  try {
    parse();
    return true;
  } catch (e) {
    if (named.some((k) => e instanceof k)) return true;
    throw e;
  }
}
