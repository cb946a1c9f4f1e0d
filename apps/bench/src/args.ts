import { parseArgs } from 'node:util';
import { type BackendName, parseBackendName } from '@rrm/backend';

/** What one benchmark run measures; flag names are the issue's, values validated. */
export interface BenchOptions {
  backend: BackendName;
  model: 'trm' | 'hrm';
  mlpT: boolean;
  batch: number;
  seq: number;
  hidden: number;
  heads: number;
  /** L_layers; HRM's H_layers is `hLayers`. */
  layers: number;
  hLayers: number;
  hCycles: number;
  lCycles: number;
  /** Timed supervision steps, after one untimed warm-up step. */
  steps: number;
  mode: 'train' | 'eval';
  /** Also profile one more step and print its time per kernel to stderr. */
  profile: boolean;
  /** Only measure the machine's FMA peak. */
  peakOnly: boolean;
}

export const USAGE = `usage: rrm-bench [--backend auto|native|webgpu|cpu|wasm|tensorflow] [--model trm|hrm] [--mlp-t]
  [--batch 32] [--seq 81] [--hidden 128] [--heads 4] [--layers 2] [--h-layers 2]
  [--h-cycles 3] [--l-cycles 6] [--steps 3] [--mode train|eval] [--profile] [--peak]
Times supervision steps of a randomly initialised model on random tokens and prints one
JSON line: backend, config, ms_per_step (median), the step's matmul GFLOP and GFLOP/s,
the machine's FMA peak measured in the same run and the fraction of it the step reaches
(CPU backends), steps, peak_rss_mb, tensors_leaked.
--profile also runs one profiled step and prints its time per kernel to stderr.
--peak only measures the FMA peak (every native thread, the widest FMA the CPU has).`;

const intFlags = {
  batch: 32,
  seq: 81,
  hidden: 128,
  heads: 4,
  layers: 2,
  'h-layers': 2,
  'h-cycles': 3,
  'l-cycles': 6,
  steps: 3,
} as const;

function positiveInt(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`--${flag}: expected a positive integer, got "${raw}"`);
  }
  return n;
}

function oneOf<T extends string>(flag: string, raw: string | undefined, values: readonly T[]): T {
  if (raw === undefined) return values[0];
  if (!(values as readonly string[]).includes(raw)) {
    throw new Error(`--${flag}: expected one of ${values.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

/** Parses the command line (a bare `--`, as `pnpm bench -- ...` passes, is ignored). */
export function parseBenchArgs(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv.filter((a) => a !== '--'),
    options: {
      backend: { type: 'string' },
      model: { type: 'string' },
      'mlp-t': { type: 'boolean', default: false },
      mode: { type: 'string' },
      profile: { type: 'boolean', default: false },
      peak: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      ...Object.fromEntries(Object.keys(intFlags).map((k) => [k, { type: 'string' as const }])),
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const raw = values as Record<string, string | boolean | undefined>;
  const int = (flag: keyof typeof intFlags) =>
    positiveInt(flag, raw[flag] as string | undefined, intFlags[flag]);
  const opts: BenchOptions = {
    backend: parseBackendName(values.backend as string | undefined),
    model: oneOf('model', values.model as string | undefined, ['trm', 'hrm'] as const),
    mlpT: values['mlp-t'] as boolean,
    batch: int('batch'),
    seq: int('seq'),
    hidden: int('hidden'),
    heads: int('heads'),
    layers: int('layers'),
    hLayers: int('h-layers'),
    hCycles: int('h-cycles'),
    lCycles: int('l-cycles'),
    steps: int('steps'),
    mode: oneOf('mode', values.mode as string | undefined, ['train', 'eval'] as const),
    profile: values.profile as boolean,
    peakOnly: values.peak as boolean,
  };
  if (opts.hidden % opts.heads !== 0) {
    throw new Error(`--hidden (${opts.hidden}) must be a multiple of --heads (${opts.heads})`);
  }
  if (opts.mlpT && opts.model === 'hrm') {
    throw new Error('--mlp-t: the token-mixing MLP variant exists for --model trm only');
  }
  return opts;
}
