// Runs one workload as its own process: rrm-bench on a TF.js backend, or the PyTorch
// step (apps/bench/pytorch/trm_step.py); both print one JSON line. Shared by
// `bench:compare` (CPU) and `bench:gpu`.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Issue 7's TRM workloads, without the batch size (the scripts set it). */
export const WORKLOADS = {
  MLP: '--mlp-t --seq 81 --hidden 128 --layers 2 --h-cycles 3 --l-cycles 6',
  Attention: '--seq 64 --hidden 128 --heads 4 --layers 2 --h-cycles 3 --l-cycles 6',
};

export interface Row {
  backend: string;
  ms_per_step: number;
  cpu_ms_per_step: number;
  peak_rss_mb: number;
  tensors_leaked?: number;
}

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Row {
  const out = execFileSync(cmd, args, {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.trim().split('\n').at(-1) as string) as Row;
}

export const bench = (backend: string, flags: string, steps: number, env: NodeJS.ProcessEnv = {}) =>
  run(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=source',
      here('./cli.ts'),
      '--backend',
      backend,
      '--model',
      'trm',
      ...flags.split(' '),
      '--steps',
      String(steps),
    ],
    env,
  );

/** The machine's FMA peak, measured by `rrm-bench --peak` (every native thread). */
export function peak(): { peak_gflop_s: number; peak_isa: string; peak_threads: number } {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', '--conditions=source', here('./cli.ts'), '--peak'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const p = JSON.parse(out.trim());
  if (!('peak_gflop_s' in p)) throw new Error(`the FMA peak was ${p.peak}`);
  return p;
}

/** The interpreter that imports torch: PYTHON, else python3. */
export const python = process.env.PYTHON ?? 'python3';

/** True when `python` runs `code` (an import, an assertion) without error. */
export function pythonCan(code: string): boolean {
  try {
    execFileSync(python, ['-c', code], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * The PyTorch step with one intra-op thread, as issue 7 measured it (its BLAS, the same
 * OpenBLAS as ours in Debian's build, held to `blasThreads` when given); `device` cuda
 * for the GPU comparison.
 */
export const torch = (
  flags: string,
  steps: number,
  opts: { blasThreads?: number; device?: string } = {},
) =>
  run(
    python,
    [
      here('../pytorch/trm_step.py'),
      ...flags.split(' '),
      '--steps',
      String(steps),
      '--threads',
      '1',
      ...(opts.device ? ['--device', opts.device] : []),
    ],
    opts.blasThreads ? { OPENBLAS_NUM_THREADS: String(opts.blasThreads) } : {},
  );
