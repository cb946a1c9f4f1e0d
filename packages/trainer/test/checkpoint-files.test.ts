import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  atomicWriteFile,
  latestCheckpoint,
  listCheckpoints,
  writeCheckpointDir,
} from '../src/checkpoint-files.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'rrm-ckpt-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function expectConsistent(dir: string, step: number): void {
  expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'))).toEqual({ step });
  const model = readFileSync(join(dir, 'model.safetensors'));
  const state = readFileSync(join(dir, 'state.safetensors'));
  expect(model.length).toBe(4 << 20);
  expect(state.length).toBe(4 << 20);
  expect(model.every((b) => b === ((step * 7) & 255))).toBe(true);
  expect(state.every((b) => b === ((step * 7 + 1) & 255))).toBe(true);
}

describe('checkpoint folders', () => {
  it('keeps the newest N and ignores leftovers of a killed writer', () => {
    const root = tempDir();
    mkdirSync(join(root, '.tmp-999-step_00000009'));
    writeFileSync(join(root, '.tmp-999-step_00000009', 'state.json'), '{');
    for (const step of [10, 20, 30, 40])
      writeCheckpointDir(root, step, { 'state.json': `${step}` }, 2);
    expect(listCheckpoints(root).map((c) => c.step)).toEqual([30, 40]);
    expect(readdirSync(root).sort()).toEqual(['step_00000030', 'step_00000040']);
    expect(latestCheckpoint(root)!.step).toBe(40);
    // Saving again at the newest step keeps the copy already there.
    writeCheckpointDir(root, 40, { 'state.json': 'other' }, 2);
    expect(readFileSync(join(root, 'step_00000040', 'state.json'), 'utf8')).toBe('40');
  });

  it('has no checkpoint in a missing folder', () => {
    expect(latestCheckpoint(join(tempDir(), 'nope'))).toBeNull();
  });

  it('replaces a file atomically', () => {
    const f = join(tempDir(), 'config.json');
    atomicWriteFile(f, 'a');
    atomicWriteFile(f, 'bb');
    expect(readFileSync(f, 'utf8')).toBe('bb');
    expect(readdirSync(join(f, '..'))).toEqual(['config.json']);
  });

  it('leaves the previous checkpoint loadable when the writer is SIGKILLed mid-write', async () => {
    for (const delayMs of [150, 400]) {
      const root = tempDir();
      const child = spawn(
        process.execPath,
        // The workspace packages it imports resolve to their sources, as in every test here.
        [
          '--import',
          'tsx',
          '--conditions=source',
          new URL('./kill-writer.ts', import.meta.url).pathname,
          root,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      await new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
      });
      await new Promise((r) => setTimeout(r, delayMs));
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      const latest = latestCheckpoint(root);
      expect(latest).not.toBeNull();
      expectConsistent(latest!.dir, latest!.step);
      // The next writer cleans up whatever the killed one left half done.
      writeCheckpointDir(root, latest!.step + 1000, { 'state.json': '{}' }, 1);
      expect(readdirSync(root)).toEqual([`step_${String(latest!.step + 1000).padStart(8, '0')}`]);
    }
  });
});
