import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

const root = mkdtempSync(join(tmpdir(), 'rrm-train-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=source', cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, RRM_DEBUG: '' },
  });
  return { code: r.status, stderr: r.stderr };
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
});

describe('rrm-train signals', () => {
  it('SIGTERM saves a checkpoint after the current step and exits; --resume continues', async () => {
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
    const out = join(root, 'run');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions=source',
        cli,
        '--backend',
        'cpu',
        '--config',
        config,
        '--out',
        out,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8');
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk: string) => {
        stderr += chunk;
        if (stderr.includes('train [')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(130);
    expect(stderr).toContain('SIGTERM: saving a checkpoint');
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.status).toBe('stopped');
    expect(existsSync(join(summary.checkpoint, 'model.safetensors'))).toBe(true);
    // Resuming with an override that ends the run at once still loads the whole state.
    const resumed = run('--backend', 'cpu', '--resume', '--out', out, `max_steps=${summary.step}`);
    expect(resumed.stderr).toContain(`resume: step ${summary.step}`);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/held-out exact accuracy \(all, 4 puzzles\)/);
  });
});
