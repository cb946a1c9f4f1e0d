/**
 * Round trips through real PyTorch (no mock of the format): rrm writes, `torch.load` reads;
 * PyTorch writes (a module's state dict with the compiled prefix, bfloat16 and float16
 * buffers, a strided view), rrm reads. The interpreter is $PYTHON, /usr/bin/python3 or
 * python3, the first that imports torch; without one the tests are skipped with a message.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WritableTensor } from '@rrm/layers';
import { afterAll, describe, expect, it } from 'vitest';
import { readTorchCheckpoint, writeTorchCheckpoint } from '../src';

function torchPython(): string | null {
  for (const exe of [process.env.PYTHON, '/usr/bin/python3', 'python3']) {
    if (!exe) continue;
    if (spawnSync(exe, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) return exe;
  }
  return null;
}

const python = torchPython();
if (!python)
  console.warn(
    'torch round trips skipped: no Python with torch ($PYTHON, /usr/bin/python3, python3)',
  );

// One subprocess does all the Python work (importing torch takes seconds).
const SCRIPT = `
import json, sys, torch
d = sys.argv[1]
# 1. What rrm wrote, loaded plainly and, where torch has it, with the weights_only allow-list.
torch.load(d + '/rrm_step', map_location='cpu')
safe = {'weights_only': True} if 'weights_only' in torch.load.__code__.co_varnames else {}
sd = torch.load(d + '/rrm_step', map_location='cpu', **safe)
out = {}
for k, v in sd.items():
    out[k] = {'shape': list(v.shape), 'dtype': str(v.dtype), 'contiguous': v.is_contiguous()}
    v.contiguous().numpy().tofile(d + '/got_' + str(len(out)))
    out[k]['file'] = 'got_' + str(len(out))
json.dump(out, open(d + '/got.json', 'w'))
# 2. What PyTorch writes: a module's state dict (an OrderedDict with _metadata) under the compiled names.
torch.manual_seed(0)
class Inner(torch.nn.Module):
    def __init__(s):
        super().__init__()
        s.lm_head = torch.nn.Linear(4, 3, bias=False)
        s.register_buffer('H_init', torch.randn(4).to(torch.bfloat16), persistent=True)
        s.register_buffer('L_init', torch.randn(4).to(torch.float16), persistent=True)
        s.register_buffer('scratch', torch.zeros(2), persistent=False)
class Model(torch.nn.Module):
    def __init__(s):
        super().__init__()
        s.inner = Inner()
class Head(torch.nn.Module):
    def __init__(s):
        super().__init__()
        s.model = Model()
class Compiled(torch.nn.Module):
    def __init__(s):
        super().__init__()
        s._orig_mod = Head()
sd = Compiled().state_dict()
sd['_orig_mod.model.inner.transposed'] = torch.arange(6, dtype=torch.float32).reshape(2, 3).t()
torch.save(sd, d + '/step_7')
want = {k: {'shape': list(v.shape), 'values': v.float().contiguous().reshape(-1).tolist()} for k, v in sd.items()}
json.dump(want, open(d + '/want.json', 'w'))
`;

describe.skipIf(!python)('round trips through PyTorch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rrm-torch-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const written = new Map<string, WritableTensor>([
    [
      '_orig_mod.model.inner.H_init',
      { dtype: 'F32', shape: [5], data: [0.5, -1, 3.25, 1e-8, -7e5] },
    ],
    [
      '_orig_mod.model.inner.L_level.layers.0.mlp.down_proj.weight',
      { dtype: 'F32', shape: [3, 4], data: Array.from({ length: 12 }, (_, i) => Math.sin(i) * 10) },
    ],
    ['_orig_mod.model.inner.q_head.bias', { dtype: 'F32', shape: [2], data: [-5, -5] }],
    ['scalar', { dtype: 'F32', shape: [], data: [42] }],
    ['big', { dtype: 'F32', shape: [70000], data: Array.from({ length: 70000 }, (_, i) => i / 7) }],
  ]);
  let ran: ReturnType<typeof spawnSync> | null = null;
  const run = () => {
    if (!ran) {
      writeFileSync(join(dir, 'rrm_step'), writeTorchCheckpoint(written, 'rrm_step'));
      ran = spawnSync(python!, ['-c', SCRIPT, dir], { encoding: 'utf8' });
      if (ran.status !== 0) throw new Error(`python failed: ${ran.stderr}`);
    }
  };

  it('torch.load reads what rrm writes, tensor for tensor', () => {
    run();
    const got = JSON.parse(readFileSync(join(dir, 'got.json'), 'utf8'));
    expect(Object.keys(got)).toEqual([...written.keys()]);
    for (const [name, t] of written) {
      expect(got[name].shape, name).toEqual(t.shape);
      expect(got[name].dtype).toBe('torch.float32');
      expect(got[name].contiguous).toBe(true);
      const raw = readFileSync(join(dir, got[name].file));
      const values = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
      expect(Array.from(values), name).toEqual(Array.from(Float32Array.from(t.data)));
    }
  });

  it('rrm reads what torch.save writes: compiled names, bfloat16, float16, strided', () => {
    run();
    const want = JSON.parse(readFileSync(join(dir, 'want.json'), 'utf8')) as Record<
      string,
      { shape: number[]; values: number[] }
    >;
    const got = readTorchCheckpoint(readFileSync(join(dir, 'step_7')), 'step_7');
    expect([...got.keys()].sort()).toEqual(Object.keys(want).sort());
    expect(got.get('_orig_mod.model.inner.H_init')!.dtype).toBe('BF16');
    expect(got.get('_orig_mod.model.inner.L_init')!.dtype).toBe('F16');
    for (const [name, w] of Object.entries(want)) {
      const t = got.get(name)!;
      expect(t.shape, name).toEqual(w.shape);
      expect(t.data).toBeInstanceOf(Float32Array);
      expect(Array.from(t.data), name).toEqual(w.values);
    }
    expect(Array.from(got.get('_orig_mod.model.inner.transposed')!.data)).toEqual([
      0, 3, 1, 4, 2, 5,
    ]);
  });
});
