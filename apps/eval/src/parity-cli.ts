#!/usr/bin/env node
/**
 * rrm-parity: checks HRM/TRM against cases computed by the reference PyTorch code.
 *
 *   pnpm parity [--backend cpu] <case-dir>...
 *
 * Prints one JSON line per case with the largest errors found; exits 1 if any case
 * misses a tolerance (or cannot be read), 2 on bad arguments. Plain files among the
 * arguments (the shell glob also matches `optimizers.safetensors`) are skipped.
 */
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parseBackendName, selectBackend } from '@rrm/backend';
import { checkParity } from '@rrm/parity';

const USAGE = 'usage: pnpm parity [--backend cpu|native|webgpu|wasm|tensorflow|auto] <case-dir>...';

function parseArgs(argv: string[]): { backend: string; dirs: string[] } {
  let backend = 'cpu';
  const dirs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') continue; // pnpm forwards a bare `--` separator
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    if (arg === '--backend') {
      if (i + 1 >= argv.length) throw new Error('--backend needs a value');
      backend = argv[++i];
    } else if (arg.startsWith('--backend=')) {
      backend = arg.slice('--backend='.length);
    } else if (arg.startsWith('-')) {
      throw new Error(`unknown option ${arg}`);
    } else {
      dirs.push(arg);
    }
  }
  if (dirs.length === 0) throw new Error('no case directory given');
  return { backend, dirs };
}

/** Errors to three significant digits: the line is for reading. */
const round = (_key: string, v: unknown) =>
  typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(3)) : v;

async function main(): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`rrm-parity: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  // checkParity reads every tensor with await, so webgpu in Node can run it.
  await selectBackend(parseBackendName(args.backend), {
    log: (line) => console.error(line),
    asyncReads: true,
  });
  // pnpm runs root scripts from the repository root; paths are relative to where it was typed.
  const base = process.env.INIT_CWD ?? process.cwd();
  let failed = 0;
  for (const dir of args.dirs) {
    const path = isAbsolute(dir) ? dir : resolve(base, dir);
    // `../shared/parity/*` also matches the optimizer file that sits next to the cases.
    if (statSync(path, { throwIfNoEntry: false })?.isFile()) {
      console.error(`rrm-parity: skipping ${dir}: a file, not a case directory`);
      continue;
    }
    const started = performance.now();
    try {
      const report = await checkParity(path);
      const seconds = Number(((performance.now() - started) / 1000).toFixed(1));
      console.log(JSON.stringify({ ...report, seconds }, round));
      if (!report.ok) failed++;
    } catch (e) {
      console.log(JSON.stringify({ case: dir, ok: false, error: (e as Error).message }));
      failed++;
    }
  }
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main();
