/**
 * rrm-convert end to end on a genuine reference run: to rrm and back to torch, the result
 * checked by real PyTorch (when a Python with torch is found) against the original file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/main.js';

const tmp = mkdtempSync(join(tmpdir(), 'rrm-convert-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const parity = fileURLToPath(new URL('../../../../shared/parity', import.meta.url));
const mlp = join(parity, 'trm_mlp_t/reference_checkpoint');
const rope = join(parity, 'trm_att_rope/reference_checkpoint');
const present = existsSync(mlp) && existsSync(rope);
if (!present)
  console.warn(
    `rrm-convert tests on reference runs skipped: ${parity}/*/reference_checkpoint not found`,
  );

function torchPython(): string | null {
  for (const exe of [process.env.PYTHON, '/usr/bin/python3', 'python3']) {
    if (exe && spawnSync(exe, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) return exe;
  }
  return null;
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = { code: 0, out: '', err: '' };
  r.code = await run(argv, {
    stdout: { write: (s: string) => (r.out += s) },
    stderr: { write: (s: string) => (r.err += s) },
  });
  return r;
}

describe('rrm-convert', () => {
  it('names bad arguments', async () => {
    expect((await cli('x', '--out', tmp)).err).toMatch(/--to: expected torch or rrm, got nothing/);
    expect((await cli('x', '--to', 'onnx', '--out', tmp)).err).toMatch(/got "onnx"/);
    const missing = await cli(
      join(tmp, 'nothing'),
      '--to',
      'rrm',
      '--out',
      tmp,
      '--backend',
      'cpu',
    );
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/not a checkpoint/);
  });

  it.skipIf(!present)(
    'says when a RoPE checkpoint needs the dataset for its sequence length',
    async () => {
      const r = await cli(rope, '--to', 'rrm', '--out', join(tmp, 'rope'), '--backend', 'cpu');
      expect(r.code).toBe(2);
      expect(r.err).toMatch(
        /sequence length is in neither the config nor the weights .*give the dataset/,
      );
    },
  );

  it.skipIf(!present)(
    'a reference run to rrm and back gives what torch.load reads as the original',
    async () => {
      const toRrm = await cli(mlp, '--to', 'rrm', '--out', join(tmp, 'rrm'), '--backend', 'cpu');
      expect(toRrm.code).toBe(0);
      expect(toRrm.out).toContain(`wrote ${join(tmp, 'rrm', 'model.safetensors')}`);
      const toTorch = await cli(
        join(tmp, 'rrm'),
        '--to',
        'torch',
        '--out',
        join(tmp, 'torch'),
        '--backend',
        'cpu',
      );
      expect(toTorch.code).toBe(0);
      expect(toTorch.out).toMatch(/carried:\n {2}15 tensors: weights as evaluation uses them/);
      expect(toTorch.out).toMatch(/not carried:\n {2}optimiser moments/);
      const python = torchPython();
      if (!python) {
        console.warn(
          'torch.load check skipped: no Python with torch ($PYTHON, /usr/bin/python3, python3)',
        );
        return;
      }
      const check = spawnSync(
        python,
        [
          '-c',
          [
            'import sys, torch',
            'a = torch.load(sys.argv[1], map_location="cpu")',
            'b = torch.load(sys.argv[2], map_location="cpu")',
            'assert sorted(a) == sorted(b), sorted(set(a) ^ set(b))',
            'assert all(torch.equal(a[k], b[k]) and a[k].dtype == b[k].dtype for k in a)',
            'print(len(a))',
          ].join('\n'),
          join(tmp, 'torch', 'step_0'),
          join(mlp, 'step_3'),
        ],
        { encoding: 'utf8' },
      );
      expect(check.stderr).toBe('');
      expect(check.stdout.trim()).toBe('15');
    },
  );
});
