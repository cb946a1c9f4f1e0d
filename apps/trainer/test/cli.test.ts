import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

const root = mkdtempSync(join(tmpdir(), 'rrm-train-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// A tiny TRM on generated 4×4 Sudoku, given as a YAML file over the default preset.
const config = join(root, 'tiny.yaml');
writeFileSync(
  config,
  [
    'preset: sudoku-small',
    `data_paths: [${join(root, 'data')}]`,
    'build_data: {kind: sudoku, box_rows: 2, box_cols: 2, train_puzzles: 64, test_puzzles: 4, num_aug: 0, min_givens: 0, seed: 5}',
    'global_batch_size: 4',
    'max_steps: 10000',
    'checkpoint_every: 0',
    'arch: {hidden_size: 16, L_layers: 1, H_cycles: 1, L_cycles: 1, halt_max_steps: 2}',
  ].join('\n'),
);

/** rrm-train from source, as `pnpm train` runs it. */
const TRAIN = ['--import', 'tsx', '--conditions=source', cli];

function run(...args: string[]) {
  return runLimited(null, ...args);
}

/** rrm-train to its end; with `limitKb`, under that file-size limit (`ulimit -f`). */
function runLimited(limitKb: number | null, ...args: string[]) {
  const argv = [process.execPath, ...TRAIN, ...args];
  const [file, ...rest] =
    limitKb === null ? argv : ['bash', '-c', `ulimit -f ${limitKb}; exec "$@"`, 'bash', ...argv];
  const r = spawnSync(file, rest, { encoding: 'utf8', env: { ...process.env, RRM_DEBUG: '' } });
  return { code: r.status, stderr: r.stderr };
}

/**
 * Starts a training run in a child process and resolves once its progress bar is drawn
 * (the trainer is then between steps); `stderr()` is what it has printed so far.
 */
async function startTraining(
  configFile: string,
  outDir: string,
  options: { detached?: boolean } = {},
) {
  const child = spawn(
    process.execPath,
    [...TRAIN, '--backend', 'cpu', '--config', configFile, '--out', outDir],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: options.detached },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8');
  await new Promise<void>((resolve) => {
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      if (stderr.includes('train [')) resolve();
    });
  });
  // 'close': after the exit and the last of stderr.
  const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
  return { child, closed, stderr: () => stderr };
}

describe('rrm-train command line', () => {
  it('lists the presets, tolerating a bare --', () => {
    const r = run('--', '--list-presets');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^sudoku-small\s+Default/m);
    expect(r.stderr).toMatch(/^sudoku-small-single\s/m);
    expect(r.stderr).toMatch(/^trm-sudoku-mlp\s/m);
  });

  it.each([
    [['arch.L_cycle=2'], 'rrm-train: unknown config key "arch.L_cycle"'],
    [['lr=fast'], 'rrm-train: config key "lr": expected a finite number, got "fast"'],
    [['--resume'], 'rrm-train: --resume needs --out DIR'],
  ])('rejects %j in one line, exit code 2', (args, message) => {
    const r = run(...args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(r.stderr.trim().split('\n')[0]);
    expect(r.stderr).toContain(message);
  });

  it('reports a bad --out before it builds the dataset', () => {
    const file = join(root, 'not-a-folder');
    writeFileSync(file, '');
    const data = join(root, 'data-never-built');
    const r = run('--config', config, `data_paths=["${data}"]`, '--out', join(file, 'run'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`rrm-train: run folder ${join(file, 'run')}: cannot create it`);
    expect(r.stderr).not.toContain('building dataset');
    expect(existsSync(data)).toBe(false);
  });
});

// A read-only file system without privileges: a tmpfs mounted read-only inside a user
// namespace that only the child sees.
const readOnly = mkdtempSync(join(tmpdir(), 'rrm-train-ro-'));
const userns = spawnSync('unshare', [
  '-rm',
  'sh',
  '-c',
  `mount -t tmpfs -o ro,size=64k tmpfs ${readOnly}`,
]);
if (userns.status !== 0)
  console.warn(
    'skipping the read-only --out test: `unshare -rm` (user namespaces) is not available',
  );
afterAll(() => rmSync(readOnly, { recursive: true, force: true }));

describe.skipIf(userns.status !== 0)('rrm-train on a read-only or full file system', () => {
  /** rrm-train with `readOnly` mounted as a fresh tmpfs (`options`), then `after` in the same namespace. */
  function inMount(options: string, args: string[], after = '') {
    const script = `mount -t tmpfs -o ${options} tmpfs ${readOnly} && { "$@"; rc=$?; ${after} exit $rc; }`;
    const r = spawnSync(
      'unshare',
      ['-rm', 'sh', '-c', script, 'sh', process.execPath, ...TRAIN, '--backend', 'cpu', ...args],
      {
        encoding: 'utf8',
        env: { ...process.env, RRM_DEBUG: '' },
      },
    );
    return { code: r.status, stderr: r.stderr, stdout: r.stdout };
  }

  it('says that the folder above --out is read-only', () => {
    const out = join(readOnly, 'runs', 'x');
    const r = inMount('ro,size=64k', ['--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `rrm-train: run folder ${out}: cannot create it: ${readOnly} is not writable: EROFS (read-only file system)`,
    );
  });

  it('names the file and the step when the disk fills, and keeps the checkpoint before', () => {
    // One checkpoint (about 310 KB) fits in 450 KB, the second does not.
    const out = join(readOnly, 'run');
    const r = inMount(
      'size=450k',
      ['--config', config, '--out', out, 'max_steps=8', 'checkpoint_every=2'],
      `ls ${join(out, 'checkpoints')};`,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /rrm-train: step 4: cannot write .*\/state\.safetensors: ENOSPC \(no space left on device\); the run folder keeps the checkpoint of step 2; free space, then continue with --resume/,
    );
    // The failed checkpoint's temporary folder gave its space back.
    expect(r.stdout.trim().split('\n')).toEqual(['step_00000002']);
  });
});

describe('rrm-train faults', () => {
  const out = join(root, 'run');
  const trainSteps = () =>
    readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((r) => 'train/loss' in r)
      .map((r) => r.step);
  let stoppedAt = 0;

  it('saves once however many SIGINTs the process group gets; --resume continues', async () => {
    // As `pnpm train` runs it, in a process group of its own (the group is what Ctrl-C
    // signals; pnpm relays it once more).
    const { child, closed, stderr: printed } = await startTraining(config, out, { detached: true });
    // Ctrl-C three times, to the whole group.
    for (const signal of ['SIGINT', 'SIGINT', 'SIGINT'] as const) process.kill(-child.pid!, signal);
    expect(await closed).toBe(130);
    expect(printed().match(/saving a checkpoint/g)).toHaveLength(1);
    expect(printed()).not.toContain('without saving');
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.status).toBe('stopped');
    stoppedAt = summary.step;
    expect(existsSync(join(summary.checkpoint, 'model.safetensors'))).toBe(true);
    // Every step trained was kept: the checkpoint is at the last logged step.
    expect(trainSteps()).toEqual(Array.from({ length: stoppedAt }, (_, i) => i + 1));
    // Resuming with an override that ends the run at once still loads the whole state.
    const resumed = run('--backend', 'cpu', '--resume', '--out', out, `max_steps=${stoppedAt}`);
    expect(resumed.stderr).toContain(`resume: step ${stoppedAt}`);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/held-out exact accuracy \(all, 4 puzzles\)/);
  });

  it('a write that fails (file-size limit) names the file and step; the run resumes after', () => {
    // state.safetensors (about 200 KB) exceeds a 150 KB limit; everything else fits.
    const limited = runLimited(
      150,
      '--backend',
      'cpu',
      '--resume',
      '--out',
      out,
      `max_steps=${stoppedAt + 4}`,
      'checkpoint_every=2',
    );
    expect(limited.code).toBe(2);
    expect(limited.stderr).toMatch(
      new RegExp(
        `rrm-train: step ${stoppedAt + 2}: cannot write .*state\\.safetensors: EFBIG \\(file too large[^)]*\\); the run folder keeps the checkpoint of step ${stoppedAt}; free space, then continue with --resume`,
      ),
    );
    expect(limited.stderr).not.toMatch(/\n\s+at /);
    const r = run('--backend', 'cpu', '--resume', '--out', out, `max_steps=${stoppedAt + 4}`);
    expect(r.code).toBe(0);
    expect(trainSteps()).toEqual(Array.from({ length: stoppedAt + 4 }, (_, i) => i + 1));
  });

  it('refuses a second trainer on the same run folder while the first runs', async () => {
    const other = join(root, 'busy');
    const { child: first, closed } = await startTraining(config, other);
    const second = run('--backend', 'cpu', '--resume', '--out', other);
    first.kill('SIGTERM');
    await closed;
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`run folder ${other} is in use by process ${first.pid}`);
  });
});
