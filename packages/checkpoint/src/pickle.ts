/**
 * The pickle of a PyTorch state dict, read and written without running anything.
 *
 * A pickle is a program for a stack machine that may call any importable Python function.
 * This reader implements only the opcodes `torch.save` of a state dict emits (protocols 2
 * to 5) and only the globals such a file needs: the tensor rebuild functions, the float
 * storage types and `collections.OrderedDict`. Any other global is refused by name the
 * moment it is named, before anything could call it; no JavaScript is ever evaluated.
 * No npm pickle parser fits: the maintained ones either evaluate arbitrary globals through
 * callbacks or do not model torch's persistent storage ids.
 */
import type { SafetensorsDtype } from '@rrm/layers';
import { CheckpointError } from './errors';

/** A storage named by a persistent id: `('storage', torch.FloatStorage, key, location, numel)`. */
export interface StorageRef {
  dtype: TorchFloatDtype;
  key: string;
  numel: number;
}

/** `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)`, not yet materialised. */
export interface TensorRef {
  storage: StorageRef;
  offset: number;
  size: number[];
  stride: number[];
}

export type TorchFloatDtype = Extract<SafetensorsDtype, 'F32' | 'BF16' | 'F16'>;

/** Storage class names and the dtypes they hold. */
export const STORAGE_TYPES: Readonly<Record<string, TorchFloatDtype>> = {
  FloatStorage: 'F32',
  BFloat16Storage: 'BF16',
  HalfStorage: 'F16',
};

class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get dotted(): string {
    return `${this.module}.${this.name}`;
  }
}

class PyTuple {
  constructor(readonly items: unknown[]) {}
}

const MARK = Symbol('mark');

const ALLOWED_CALLS = new Set([
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  'collections.OrderedDict',
]);

function allowedGlobal(module: string, name: string): boolean {
  return (
    ALLOWED_CALLS.has(`${module}.${name}`) ||
    (module === 'torch' && Object.hasOwn(STORAGE_TYPES, name))
  );
}

const ALLOWED_TEXT =
  'torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter, collections.OrderedDict, ' +
  Object.keys(STORAGE_TYPES)
    .map((s) => `torch.${s}`)
    .join(', ');

/** Reads a state-dict pickle: the tensors by name, in file order. */
export function readStateDictPickle(bytes: Uint8Array, source: string): Map<string, TensorRef> {
  const fail = (pos: number, message: string): never => {
    throw new CheckpointError(source, `data.pkl byte ${pos}: ${message}`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  let pos = 0;

  const need = (n: number): number => {
    if (n < 0 || pos + n > bytes.byteLength)
      fail(pos, `truncated: needs ${n} more bytes, ${bytes.byteLength - pos} left`);
    const at = pos;
    pos += n;
    return at;
  };
  const u8 = () => bytes[need(1)];
  const u16 = () => view.getUint16(need(2), true);
  const u32 = () => view.getUint32(need(4), true);
  const i32 = () => view.getInt32(need(4), true);
  const text = (n: number) => {
    const at = need(n);
    try {
      return utf8.decode(bytes.subarray(at, at + n));
    } catch {
      return fail(at, 'string is not valid UTF-8');
    }
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0 || end - pos > 256) fail(pos, 'unterminated GLOBAL name');
    return text(end - pos + 1).slice(0, -1);
  };
  const pop = (): unknown => {
    if (stack.length === 0) fail(pos, 'stack underflow');
    const v = stack.pop();
    if (v === MARK) fail(pos, 'unexpected MARK');
    return v;
  };
  const top = (): unknown => {
    if (stack.length === 0 || stack[stack.length - 1] === MARK) fail(pos, 'stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const m = stack.lastIndexOf(MARK);
    if (m < 0) fail(pos, 'no MARK on the stack');
    const items = stack.splice(m);
    items.shift();
    return items;
  };
  const global = (module: string, name: string, at: number): PyGlobal => {
    if (!allowedGlobal(module, name)) {
      fail(
        at,
        `global ${module}.${name} refused: a state-dict checkpoint needs only ${ALLOWED_TEXT}`,
      );
    }
    return new PyGlobal(module, name);
  };
  const setItems = (dict: unknown, items: unknown[], at: number) => {
    if (!(dict instanceof Map)) fail(at, 'SETITEM(S) on something that is not a dict');
    if (items.length % 2 !== 0) fail(at, 'SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2)
      (dict as Map<unknown, unknown>).set(items[i], items[i + 1]);
  };

  for (;;) {
    const at = pos;
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail(at, 'pickle protocol newer than 5');
        break;
      case 0x95: // FRAME: a length hint, the opcodes follow inline
        need(8);
        break;
      case 0x2e: {
        // STOP
        const result = pop();
        return stateDict(result, at);
      }
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]));
        break;
      case 0x74: // TUPLE
        stack.push(new PyTuple(popMark()));
        break;
      case 0x85: // TUPLE1
        stack.push(new PyTuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push(new PyTuple([pop(), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push(new PyTuple([pop(), b, c]));
        break;
      }
      case 0x58: // BINUNICODE
        stack.push(text(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(u8()));
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x8a: {
        // LONG1: little-endian two's complement of n bytes
        const n = u8();
        const start = need(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[start + i]);
        if (n > 0 && bytes[start + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER))
          fail(at, `integer ${v} is too large`);
        stack.push(Number(v));
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        stack.push(view.getFloat64(need(8), false));
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const k = op === 0x68 ? u8() : u32();
        if (!memo.has(k)) fail(at, `memo entry ${k} undefined`);
        stack.push(memo.get(k));
        break;
      }
      case 0x30: // POP
        pop();
        break;
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = line();
        stack.push(global(module, line(), at));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string')
          fail(at, 'STACK_GLOBAL needs two strings');
        stack.push(global(module as string, name as string, at));
        break;
      }
      case 0x51: // BINPERSID
        stack.push(storageRef(pop(), at));
        break;
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        stack.push(call(fn, args, at));
        break;
      }
      case 0x62: {
        // BUILD: only an OrderedDict's `_metadata` attribute, which carries no tensors
        pop();
        if (!(top() instanceof Map)) fail(at, 'BUILD on something that is not a dict');
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v], at);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items, at);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        const list = top();
        if (!Array.isArray(list)) fail(at, 'APPEND to something that is not a list');
        (list as unknown[]).push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const list = top();
        if (!Array.isArray(list)) fail(at, 'APPENDS to something that is not a list');
        (list as unknown[]).push(...items);
        break;
      }
      default:
        fail(
          at,
          `opcode 0x${op.toString(16).padStart(2, '0')} is not one a state-dict torch.save writes`,
        );
    }
  }

  function storageRef(pid: unknown, at: number): StorageRef {
    const t = pid instanceof PyTuple ? pid.items : [];
    const [tag, type, key, , numel] = t;
    if (t.length !== 5 || tag !== 'storage' || typeof key !== 'string')
      return fail(at, "persistent id is not ('storage', type, key, location, numel)");
    if (!(type instanceof PyGlobal) || type.module !== 'torch' || !(type.name in STORAGE_TYPES))
      return fail(at, `storage ${key} has an unsupported type`);
    if (!Number.isSafeInteger(numel) || (numel as number) < 0)
      return fail(at, `storage ${key} claims ${String(numel)} elements`);
    return { dtype: STORAGE_TYPES[type.name], key, numel: numel as number };
  }

  function ints(v: unknown, what: string, at: number): number[] {
    const items = v instanceof PyTuple ? v.items : null;
    if (!items?.every((d) => Number.isSafeInteger(d) && (d as number) >= 0))
      return fail(at, `tensor ${what} must be a tuple of non-negative integers`);
    return items as number[];
  }

  function call(fn: unknown, args: unknown, at: number): unknown {
    if (!(fn instanceof PyGlobal) || !ALLOWED_CALLS.has(fn.dotted))
      return fail(at, `REDUCE may only call ${[...ALLOWED_CALLS].join(', ')}`);
    const a = args instanceof PyTuple ? args.items : fail(at, 'REDUCE arguments are not a tuple');
    switch (fn.dotted) {
      case 'collections.OrderedDict':
        if (a.length !== 0) fail(at, 'OrderedDict() with arguments');
        return new Map();
      case 'torch._utils._rebuild_parameter':
        if (!isTensorRef(a[0])) fail(at, '_rebuild_parameter of something that is not a tensor');
        return a[0];
      default: {
        // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
        const [storage, offset] = a;
        if (a.length < 6 || !isStorageRef(storage))
          return fail(
            at,
            '_rebuild_tensor_v2 arguments are not (storage, offset, size, stride, …)',
          );
        if (!Number.isSafeInteger(offset) || (offset as number) < 0)
          return fail(at, 'tensor storage offset must be a non-negative integer');
        const size = ints(a[2], 'size', at);
        const stride = ints(a[3], 'stride', at);
        if (size.length !== stride.length) fail(at, 'tensor size and stride differ in length');
        return { storage, offset: offset as number, size, stride } satisfies TensorRef;
      }
    }
  }

  function stateDict(result: unknown, at: number): Map<string, TensorRef> {
    if (!(result instanceof Map)) return fail(at, 'the pickle is not a dict of tensors');
    const out = new Map<string, TensorRef>();
    for (const [k, v] of result) {
      if (typeof k !== 'string') fail(at, 'a state-dict key is not a string');
      if (!isTensorRef(v)) fail(at, `entry "${String(k)}" is not a tensor`);
      out.set(k as string, v as TensorRef);
    }
    return out;
  }
}

function isStorageRef(v: unknown): v is StorageRef {
  return typeof v === 'object' && v !== null && 'numel' in v && 'key' in v && 'dtype' in v;
}

function isTensorRef(v: unknown): v is TensorRef {
  return typeof v === 'object' && v !== null && 'storage' in v && 'stride' in v;
}

/** One entry of a state dict to pickle: a contiguous float32 tensor in storage `key`. */
export interface PickledTensor {
  name: string;
  key: string;
  shape: readonly number[];
}

/**
 * The `data.pkl` that `torch.save` writes for a dict of contiguous float32 tensors
 * (protocol 2), each tensor in its own storage: what `torch.load` reads back, including
 * under `weights_only=True`, whose allow-list holds exactly these globals.
 */
export function writeStateDictPickle(entries: readonly PickledTensor[]): Uint8Array {
  const out: number[] = [];
  const enc = new TextEncoder();
  const str = (s: string) => {
    const b = enc.encode(s);
    out.push(
      0x58,
      b.length & 0xff,
      (b.length >> 8) & 0xff,
      (b.length >> 16) & 0xff,
      b.length >>> 24,
    );
    for (const x of b) out.push(x);
  };
  const int = (n: number) => {
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`pickle: cannot write integer ${n}`);
    if (n < 0x100) out.push(0x4b, n);
    else if (n < 0x10000) out.push(0x4d, n & 0xff, n >> 8);
    else if (n < 0x80000000) out.push(0x4a, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24);
    else {
      // LONG1 with 8 bytes covers every safe integer.
      out.push(0x8a, 8);
      let v = BigInt(n);
      for (let i = 0; i < 8; i++, v >>= 8n) out.push(Number(v & 0xffn));
    }
  };
  const globalOp = (module: string, name: string) => {
    out.push(0x63);
    for (const x of enc.encode(`${module}\n${name}\n`)) out.push(x);
  };
  const tuple = (xs: readonly number[]) => {
    out.push(0x28);
    for (const x of xs) int(x);
    out.push(0x74);
  };
  out.push(0x80, 2, 0x7d, 0x28); // PROTO 2, EMPTY_DICT, MARK
  for (const e of entries) {
    const numel = e.shape.reduce((a, b) => a * b, 1);
    const stride = e.shape.map((_, i) => e.shape.slice(i + 1).reduce((a, b) => a * b, 1));
    str(e.name);
    globalOp('torch._utils', '_rebuild_tensor_v2');
    out.push(0x28, 0x28); // MARK (args), MARK (persistent id)
    str('storage');
    globalOp('torch', 'FloatStorage');
    str(e.key);
    str('cpu');
    int(numel);
    out.push(0x74, 0x51); // TUPLE, BINPERSID
    int(0);
    tuple(e.shape);
    tuple(stride);
    out.push(0x89); // requires_grad False
    globalOp('collections', 'OrderedDict');
    out.push(0x29, 0x52, 0x74, 0x52); // (), REDUCE -> backward_hooks; TUPLE; REDUCE
  }
  out.push(0x75, 0x2e); // SETITEMS, STOP
  return Uint8Array.from(out);
}
