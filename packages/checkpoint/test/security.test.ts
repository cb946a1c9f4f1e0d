/**
 * The reader treats a checkpoint as hostile: a pickle is a program, so anything beyond what
 * a state dict needs is refused by name, and every size is checked before it is trusted.
 */
import { strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import {
  CheckpointError,
  readStateDictPickle,
  readTorchCheckpoint,
  writeTorchCheckpoint,
} from '../src';

/** Pickle bytes from opcodes: numbers are bytes, strings their latin-1 codes. */
function bytes(...parts: Array<number | string>): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else for (const ch of p) out.push(ch.charCodeAt(0));
  }
  return Uint8Array.from(out);
}
const u32 = (n: number) =>
  String.fromCharCode(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24);
const str = (s: string) => `X${u32(s.length)}${s}`;
/** BININT below 2^31, LONG1 (8 bytes) above, as pickle writes them. */
const int = (n: number) =>
  n < 2 ** 31 ? `J${u32(n)}` : `\x8a\x08${u32(n % 2 ** 32)}${u32(Math.floor(n / 2 ** 32))}`;

/** One tensor `w` in storage "0", with the given claims. */
function tensorPickle(t: {
  numel: number;
  size: number[];
  stride: number[];
  offset?: number;
  storage?: string;
}): Uint8Array {
  return bytes(
    0x80,
    2,
    '}(',
    str('w'),
    'ctorch._utils\n_rebuild_tensor_v2\n((',
    str('storage'),
    `ctorch\n${t.storage ?? 'FloatStorage'}\n`,
    str('0'),
    str('cpu'),
    int(t.numel),
    'tQ',
    int(t.offset ?? 0),
    `(${t.size.map(int).join('')}t(${t.stride.map(int).join('')}t`,
    0x89,
    'ccollections\nOrderedDict\n)Rt',
    'Ru.',
  );
}

function archive(pkl: Uint8Array, storages: Record<string, Uint8Array> = {}): Uint8Array {
  const files: Record<string, Uint8Array> = { 'a/data.pkl': pkl, 'a/version': strToU8('3\n') };
  for (const [k, v] of Object.entries(storages)) files[`a/data/${k}`] = v;
  return zipSync(files, { level: 0 });
}

const floats = (n: number) => new Uint8Array(new Float32Array(n).fill(1.5).buffer);

function error(f: () => unknown): CheckpointError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointError);
    return e as CheckpointError;
  }
  throw new Error('expected a CheckpointError');
}

describe('the unpickler', () => {
  it('reads a well-formed state dict', () => {
    const got = readTorchCheckpoint(
      archive(tensorPickle({ numel: 4, size: [2, 2], stride: [2, 1] }), { 0: floats(4) }),
    );
    expect(got.get('w')).toEqual({
      dtype: 'F32',
      shape: [2, 2],
      data: new Float32Array(4).fill(1.5),
    });
  });

  it.each([
    [
      'GLOBAL os.system',
      bytes(0x80, 2, 'cos\nsystem\n', str('ls'), 0x85, 'R.'),
      /global os\.system refused/,
    ],
    [
      'STACK_GLOBAL builtins.eval',
      bytes(0x80, 4, 0x8c, 8, 'builtins', 0x8c, 4, 'eval', 0x93, str('1'), 0x85, 'R.'),
      /global builtins\.eval refused/,
    ],
    [
      'a storage type it does not decode',
      tensorPickle({ numel: 1, size: [1], stride: [1], storage: 'LongStorage' }),
      /global torch\.LongStorage refused/,
    ],
    [
      'an opcode a state dict never uses (NEWOBJ)',
      bytes(0x80, 2, 0x29, 0x29, 0x81, '.'),
      /opcode 0x81 is not one/,
    ],
    ['a pickle that is not a dict', bytes(0x80, 2, 'K', 1, '.'), /not a dict of tensors/],
    [
      'a truncated pickle',
      tensorPickle({ numel: 1, size: [1], stride: [1] }).slice(0, -1),
      /truncated/,
    ],
  ])('refuses %s by name, before calling anything', (_what, pkl, message) => {
    const e = error(() => readStateDictPickle(pkl, 'evil.pt'));
    expect(e.message).toMatch(/^evil\.pt: data\.pkl byte \d+: /);
    expect(e.message).toMatch(message);
  });
});

describe('the archive', () => {
  const good = writeTorchCheckpoint(
    new Map([['w', { dtype: 'F32' as const, shape: [3], data: [1, 2, 3] }]]),
    'step_1',
  );

  it("reads newer torch's extra records and refuses a big-endian archive", () => {
    const files = unzipSync(good);
    files['step_1/.data/version'] = strToU8('3\n');
    files['step_1/.data/serialization_id'] = strToU8('1234567890');
    expect(readTorchCheckpoint(zipSync(files)).get('w')!.data).toEqual(new Float32Array([1, 2, 3]));
    files['step_1/byteorder'] = strToU8('big');
    expect(error(() => readTorchCheckpoint(zipSync(files), 'x')).message).toBe(
      'x: byteorder "big" is not supported',
    );
  });

  it('names a truncated archive', () => {
    expect(
      error(() => readTorchCheckpoint(good.subarray(0, good.length - 30), 'cut')).message,
    ).toMatch(/^cut: not a readable zip archive/);
  });

  it('names a missing storage', () => {
    const files = unzipSync(good);
    delete files['step_1/data/0'];
    expect(error(() => readTorchCheckpoint(zipSync(files), 'x')).message).toBe(
      'x: tensor "w": storage step_1/data/0 missing',
    );
  });

  it('refuses a storage whose size disagrees with its claim, and huge claims, before allocating', () => {
    const small = archive(tensorPickle({ numel: 10, size: [10], stride: [1] }), { 0: floats(4) });
    expect(error(() => readTorchCheckpoint(small, 'x')).message).toBe(
      'x: tensor "w": storage a/data/0 holds 16 bytes, 10 F32 elements need 40',
    );
    const huge = archive(
      tensorPickle({ numel: 2 ** 40, size: [2 ** 20, 2 ** 20], stride: [2 ** 20, 1] }),
      {
        0: floats(1),
      },
    );
    expect(error(() => readTorchCheckpoint(huge, 'x')).message).toMatch(
      /holds 4 bytes, 1099511627776 F32 elements/,
    );
  });

  it('refuses a tensor that reaches past its storage', () => {
    const past = archive(tensorPickle({ numel: 4, size: [2, 2], stride: [3, 1] }), {
      0: floats(4),
    });
    expect(error(() => readTorchCheckpoint(past, 'x')).message).toMatch(
      /shape \[2, 2\] with stride \[3, 1\] at offset 0 reaches element 4, but storage 0 holds 4/,
    );
  });

  it('names a zip that is not a torch checkpoint', () => {
    expect(
      error(() => readTorchCheckpoint(zipSync({ 'readme.txt': strToU8('hi') }), 'x')).message,
    ).toMatch(/without <archive>\/data\.pkl/);
  });
});
