import '@tensorflow/tfjs-backend-cpu';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { readSafetensors, type WritableTensor, writeSafetensors } from '@rrm/layers';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createModel,
  latestCheckpoint,
  type Trainer,
  type TrainResult,
  TrainStateError,
} from '../src/index.js';
import { LOCK_FILE, openRunFolder, prepareRunFolder } from '../src/run-folder.js';
import { openTrainer, tempDir, tinyConfig } from './fixture.js';

const root = tempDir('faults');
const data = join(root, 'data');
const done = join(root, 'done');
let completed: TrainResult;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const t = await openTrainer({ config: tinyConfig(data), outDir: done });
  completed = await t.run();
  t.dispose();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A copy of the completed run, to damage. */
function copyRun(name: string): string {
  const dir = join(root, name);
  cpSync(done, dir, { recursive: true });
  return dir;
}

/** A trainer resuming `out`, and the lines it logs. */
async function resumeLogged(out: string): Promise<{ trainer: Trainer; log: string[] }> {
  const log: string[] = [];
  const trainer = await openTrainer({
    config: tinyConfig(data),
    outDir: out,
    resume: true,
    log: (l) => log.push(l),
  });
  return { trainer, log };
}

const lines = (dir: string) => readFileSync(join(dir, 'metrics.jsonl'), 'utf8');

/** The metric records without wall times, which differ between runs. */
function records(dir: string): unknown[] {
  return lines(dir)
    .trim()
    .split('\n')
    .map((l) => {
      const { time_s: _t, eval_s: _e, ...rest } = JSON.parse(l);
      return rest;
    });
}

describe('the run folder', () => {
  it('releases the folder, and removes it when it made it, if what follows its opening throws', () => {
    const out = join(root, 'released');
    const run = openRunFolder(out);
    expect(existsSync(join(out, LOCK_FILE))).toBe(true);
    expect(() =>
      run.releaseOnError(() => {
        throw new Error('no data');
      }),
    ).toThrow('no data');
    expect(existsSync(out)).toBe(false);
    // A second opening finds the folder free, and a value passes through.
    const again = openRunFolder(out);
    expect(again.releaseOnError(() => 42)).toBe(42);
    expect(existsSync(join(out, LOCK_FILE))).toBe(true);
    again.release();
  });

  it('names an --out that is a file, or that cannot be created', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    await expect(openTrainer({ config: tinyConfig(data), outDir: file })).rejects.toThrow(
      `run folder ${file}: exists and is not a folder; choose another --out`,
    );
    expect(() => prepareRunFolder(join(file, 'sub', 'run'))).toThrow(
      `run folder ${join(file, 'sub', 'run')}: cannot create it: ${file} is a file, not a folder`,
    );
  });

  it('lets one trainer at a time use a folder; a lock left by a dead process is taken over', async () => {
    const out = join(root, 'locked');
    const first = await openTrainer({ config: tinyConfig(data), outDir: out });
    await expect(openTrainer({ config: tinyConfig(data), outDir: out })).rejects.toThrow(
      new RegExp(
        `run folder ${out} is in use by process ${process.pid} on .*; wait for it or stop it, or delete .*run\\.lock if that process is gone`,
      ),
    );
    first.dispose();
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
    // A lock whose process has exited.
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(
      join(out, LOCK_FILE),
      JSON.stringify({ pid: dead, host: hostname(), since: 'then' }),
    );
    const second = await openTrainer({ config: tinyConfig(data), outDir: out });
    expect(JSON.parse(readFileSync(join(out, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    second.dispose();
  });

  it('removes leftovers of an interrupted write on the next start, and resumes', async () => {
    const out = copyRun('leftovers');
    const ckpts = join(out, 'checkpoints');
    rmSync(latestCheckpoint(ckpts)!.dir, { recursive: true });
    mkdirSync(join(ckpts, '.tmp-4242-step_00000008'));
    writeFileSync(join(ckpts, '.tmp-4242-step_00000008', 'model.safetensors'), 'partial');
    writeFileSync(join(out, '.tmp-4242-metrics.jsonl'), 'partial');
    const { trainer: t, log } = await resumeLogged(out);
    expect(log).toContain(
      `removed ${join(out, '.tmp-4242-metrics.jsonl')}, left by an interrupted write`,
    );
    const r = await t.run();
    t.dispose();
    expect(r.status).toBe('completed');
    expect(readdirSync(ckpts).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    expect(records(out)).toEqual(records(done));
  });
});

describe('resuming', () => {
  it('does not evaluate or log again when the run had completed', async () => {
    const out = copyRun('again');
    const before = lines(out);
    const { trainer: t, log } = await resumeLogged(out);
    const r = await t.run();
    t.dispose();
    expect(r.status).toBe('completed');
    expect(r.final).toEqual(completed.final);
    expect(log).toContain('resume: the run had completed at step 8; nothing left to do');
    expect(lines(out)).toBe(before);
    expect(before.split('\n').filter((l) => l.includes('"eval_s"'))).toHaveLength(1);
  });

  it('names a damaged state.json, or one whose step disagrees with its folder', async () => {
    const out = copyRun('state');
    const ckpts = join(out, 'checkpoints');
    const latest = latestCheckpoint(ckpts)!;
    const statePath = join(latest.dir, 'state.json');
    const good = readFileSync(statePath, 'utf8');
    writeFileSync(statePath, good.slice(0, 20));
    const resume = () => openTrainer({ config: tinyConfig(data), outDir: out, resume: true });
    await expect(resume()).rejects.toThrow(
      new RegExp(
        `cannot resume from ${latest.dir}: ${statePath}: not valid JSON \\(.+\\); move ${latest.dir} away to resume from step 6`,
      ),
    );
    writeFileSync(statePath, good.replace('"step": 8', '"step": 807'));
    await expect(resume()).rejects.toThrow(`${statePath}: step 807, but the folder is for step 8`);
    writeFileSync(statePath, good.replace('"optimizer_step": 8', '"optimizer_step": "8"'));
    await expect(resume()).rejects.toThrow(
      `${statePath}: field "optimizer_step" should be an integer >= 0, got "8"`,
    );
    // The lock of a failed start is released.
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
  });

  it('a failed start frees what it built', async () => {
    const out = copyRun('leak');
    writeFileSync(join(latestCheckpoint(join(out, 'checkpoints'))!.dir, 'state.json'), '{');
    const leakOf = async (fn: () => void | Promise<void>) => {
      const before = tf.memory().numTensors;
      await fn();
      return tf.memory().numTensors - before;
    };
    const failedStart = () =>
      expect(openTrainer({ config: tinyConfig(data), outDir: out, resume: true })).rejects.toThrow(
        TrainStateError,
      );
    // The model packages leave a couple of tensors behind on dispose (not the trainer's
    // doing); a failed start must leave no more than building and disposing the model.
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    const model = await leakOf(() => createModel(config).dispose());
    expect(await leakOf(failedStart)).toBe(model);
    expect(await leakOf(failedStart)).toBe(model);
  });

  it('refuses a config that now ends before the checkpoint', async () => {
    const out = copyRun('shorter');
    await expect(
      openTrainer({ config: tinyConfig(data, [['max_steps', 4]]), outDir: out, resume: true }),
    ).rejects.toThrow('resume: the checkpoint is at step 8, past the 4 steps the config now gives');
  });

  it('refuses a checkpoint with a NaN weight, naming the file and the weight', async () => {
    const out = copyRun('nan-weight');
    const latest = latestCheckpoint(join(out, 'checkpoints'))!;
    const path = join(latest.dir, 'model.safetensors');
    const file = readSafetensors(readFileSync(path), path);
    const tensors: Record<string, WritableTensor> = {};
    let damaged = '';
    for (const [name, t] of file.tensors) {
      const data = Float32Array.from(t.data as Float32Array);
      if (!damaged && name.includes('lm_head')) {
        data[0] = Number.NaN;
        damaged = name;
      }
      tensors[name] = { dtype: 'F32', shape: t.shape, data };
    }
    writeFileSync(path, writeSafetensors(tensors));
    await expect(
      openTrainer({ config: tinyConfig(data), outDir: out, resume: true }),
    ).rejects.toThrow(/model.safetensors: weight ".*lm_head.*" holds NaN or infinite values/);
  });

  it('names the checkpoint and the dataset when their vocabulary or seq_len differ', async () => {
    const out = copyRun('mismatch');
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    config.arch.seq_len = 25;
    const cfg = { ...tinyConfig(data), arch: config.arch };
    await expect(openTrainer({ config: cfg, outDir: out, resume: true })).rejects.toThrow(
      `run ${join(out, 'config.json')} against dataset ${data}: the model has seq_len 25, the dataset 16`,
    );
  });
});

describe('evaluators', () => {
  it('come from the app: a name it did not pass is refused, one it passed is used', async () => {
    const config = tinyConfig(data, [
      ['evaluators', ['count']],
      ['max_steps', 1],
    ]);
    await expect(openTrainer({ config, outDir: join(root, 'ev-none') })).rejects.toThrow(
      'config key "evaluators": unknown evaluator "count" (known: none given)',
    );
    const seen: string[] = [];
    let examples = 0;
    const t = await openTrainer({
      config,
      outDir: join(root, 'ev'),
      evaluators: {
        count: (dir) => {
          seen.push(dir);
          return {
            update: (b) => {
              examples += b.puzzleIdentifiers.length;
            },
            result: () => ({ metrics: { 'count/examples': examples } }),
          };
        },
      },
    });
    const r = await t.run();
    t.dispose();
    expect(seen[0]).toBe(data);
    expect(r.final!.metrics['count/examples']).toBeGreaterThan(0);
  });
});
