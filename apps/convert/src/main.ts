/** rrm-convert's command line: parse, convert, report what was and was not carried. */
import { parseArgs } from 'node:util';
import { parseBackendName, selectBackend } from '@rrm/backend';
import { readSplit } from '@rrm/puzzles/node';
import { type ConvertTarget, convertCheckpoint, readCheckpoint } from '@rrm/trainer';

export const USAGE = `Usage: rrm-convert SRC --to torch|rrm --out DIR [--data DIR]

SRC is any checkpoint rrm reads: an rrm checkpoint or run folder, a reference step_N file
(all_config.yaml beside it) or a reference run folder.

  --to torch   DIR gets step_N (torch.save format, compiled _orig_mod.model. names) and
               all_config.yaml (architecture and hyper-parameters under the reference keys)
  --to rrm     DIR gets model.safetensors and config.json
  --data DIR   the dataset, for a reference checkpoint whose sequence length neither its
               config nor its weights state (RoPE or no position encoding)
  --backend NAME  auto | tensorflow | native | wasm | cpu (default auto; only holds the weights)
  -h, --help   this text`;

export function parseConvertArgs(argv: string[]): {
  src: string;
  to: ConvertTarget;
  out: string;
  data?: string;
  backend: string;
} | null {
  const { values, positionals } = parseArgs({
    args: argv.filter((a) => a !== '--'),
    allowPositionals: true,
    options: {
      to: { type: 'string' },
      out: { type: 'string' },
      data: { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return null;
  if (positionals.length !== 1)
    throw new Error(`expected one SRC checkpoint, got ${positionals.length}`);
  if (values.to !== 'torch' && values.to !== 'rrm')
    throw new Error(
      `--to: expected torch or rrm, got ${values.to === undefined ? 'nothing' : `"${values.to}"`}`,
    );
  if (!values.out) throw new Error('--out: expected the output folder, got nothing');
  return {
    src: positionals[0],
    to: values.to,
    out: values.out,
    data: values.data,
    backend: values.backend,
  };
}

/** Where output goes: process.stdout/stderr, or anything with `write(text)`. */
export interface Io {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** Runs one conversion; returns the exit status (2 on bad input, the message on stderr). */
export async function run(argv: string[], io: Io): Promise<number> {
  try {
    return await convert(argv, io);
  } catch (e) {
    const err = e as Error;
    io.stderr.write(`rrm-convert: ${process.env.RRM_DEBUG ? err.stack : err.message}\n`);
    return 2;
  }
}

async function convert(argv: string[], io: Io): Promise<number> {
  const args = parseConvertArgs(argv);
  if (!args) {
    io.stderr.write(`${USAGE}\n`);
    return 0;
  }
  await selectBackend(parseBackendName(args.backend), {
    log: (line) => io.stderr.write(`${line}\n`),
  });
  const ckpt = readCheckpoint(args.src);
  let meta: ReturnType<typeof readSplit>['metadata'] | undefined;
  if (args.data) {
    const split = readSplit(args.data, 'test');
    meta = split.metadata;
    split.close();
  }
  const r = convertCheckpoint(ckpt, args.to, args.out, meta);
  const lines = [
    `read ${ckpt.weights} (${ckpt.format === 'torch' ? 'PyTorch format' : 'rrm safetensors'})`,
    ...r.files.map((f) => `wrote ${f}`),
    'carried:',
    ...r.carried.map((c) => `  ${c}`),
    'not carried:',
    ...(r.notCarried.length ? r.notCarried.map((c) => `  ${c}`) : ['  nothing']),
  ];
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
