import * as tf from '@tensorflow/tfjs-core';
import type { BackendName, ChosenBackend } from './names';
import { tfjsNodeAddonProblem, wasmDistDir } from './node';

interface Candidate {
  label: string; // what the log line calls it
  backend: ChosenBackend; // the TF.js backend name it registers
  load: () => Promise<void>;
}

const isNode = (): boolean =>
  typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/**
 * Imports a module by a computed specifier, so that bundlers (Vite) leave Node-only
 * packages out of browser builds instead of trying to bundle them.
 */
function importAtRuntime<T>(specifier: string): Promise<T> {
  return import(/* @vite-ignore */ specifier) as Promise<T>;
}

function tfjsNode(pkg: string): Candidate {
  return {
    label: pkg,
    backend: 'tensorflow',
    load: async () => {
      const problem = tfjsNodeAddonProblem(pkg);
      if (problem) throw new Error(problem);
      await importAtRuntime(pkg);
    },
  };
}

const native: Candidate = {
  label: 'native',
  backend: 'native',
  load: async () => {
    const mod = await importAtRuntime<{ registerNativeBackend: () => void }>(
      '@rrm/tfjs-backend-native',
    );
    mod.registerNativeBackend();
  },
};

let wasmPathsSet = false;
const wasm: Candidate = {
  label: 'wasm',
  backend: 'wasm',
  load: async () => {
    const mod = await import('@tensorflow/tfjs-backend-wasm');
    // In Node the .wasm files are read from the package's dist folder; browsers fetch them
    // relative to the script unless the app calls setWasmPaths itself (the demo does).
    if (isNode() && !wasmPathsSet) {
      mod.setWasmPaths(wasmDistDir());
      wasmPathsSet = true;
    }
  },
};

const cpu: Candidate = {
  label: 'cpu',
  backend: 'cpu',
  load: async () => {
    await import('@tensorflow/tfjs-backend-cpu');
  },
};

const browserOnly = (backend: 'webgl' | 'webgpu', load: () => Promise<unknown>): Candidate => ({
  label: backend,
  backend,
  load: async () => {
    if (isNode()) throw new Error('only available in a browser');
    await load();
  },
});
const webgl = browserOnly('webgl', () => import('@tensorflow/tfjs-backend-webgl'));
const webgpu = browserOnly('webgpu', () => import('@tensorflow/tfjs-backend-webgpu'));

function candidates(name: BackendName): Candidate[] {
  const tensorflow = [tfjsNode('@tensorflow/tfjs-node-gpu'), tfjsNode('@tensorflow/tfjs-node')];
  switch (name) {
    case 'auto':
      return isNode() ? [...tensorflow, native, wasm, cpu] : [webgpu, webgl, wasm, cpu];
    case 'tensorflow':
      return tensorflow;
    case 'native':
      return [native];
    case 'wasm':
      return [wasm];
    case 'cpu':
      return [cpu];
    case 'webgl':
      return [webgl];
    case 'webgpu':
      return [webgpu];
  }
}

const firstLine = (e: unknown): string =>
  String((e as Error)?.message ?? e)
    .split('\n')[0]
    .trim();

/**
 * Runs `fn` with console.warn captured: TF.js reports a backend that fails to initialise
 * only as warnings, which become the skip reason instead of extra log lines.
 */
async function capturingWarnings<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; warnings: string[] }> {
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => {
    warnings.push(
      args.map((a) => firstLine(a instanceof Error ? a : { message: String(a) })).join(' '),
    );
  };
  try {
    return { result: await fn(), warnings };
  } finally {
    console.warn = original;
  }
}

/** Loads and activates one candidate; returns why it was skipped, or null on success. */
async function tryCandidate(c: Candidate): Promise<string | null> {
  try {
    await c.load();
  } catch (e) {
    return `not available: ${firstLine(e)}`;
  }
  if (tf.findBackendFactory(c.backend) === null)
    return 'not available: loaded but registered no backend';
  const { result: ok, warnings } = await capturingWarnings(() => tf.setBackend(c.backend));
  if (!ok)
    return `failed to initialise${warnings.length > 0 ? `: ${warnings.filter(Boolean).join('; ')}` : ''}`;
  await tf.ready();
  return null;
}

export interface SelectBackendOptions {
  /** Receives the one summary line; default console.log. */
  log?: (line: string) => void;
}

/**
 * Activates a TF.js backend. `auto` tries, in Node, @tensorflow/tfjs-node-gpu,
 * @tensorflow/tfjs-node, native, wasm, cpu (in a browser: webgpu, webgl, wasm, cpu) and
 * takes the first that starts. Logs one line naming the backend and why each earlier
 * one was skipped. A named backend that cannot start is an error that says why.
 * Returns the TF.js backend now active.
 */
export async function selectBackend(
  name: BackendName = 'auto',
  opts: SelectBackendOptions = {},
): Promise<ChosenBackend> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const skipped: string[] = [];
  for (const c of candidates(name)) {
    const reason = await tryCandidate(c);
    if (reason === null) {
      const why = skipped.length > 0 ? ` (skipped ${skipped.join('; ')})` : '';
      log(`backend: ${c.backend}${c.label === c.backend ? '' : ` via ${c.label}`}${why}`);
      return c.backend;
    }
    skipped.push(`${c.label}: ${reason}`);
  }
  throw new Error(`backend "${name}" cannot be used: ${skipped.join('; ')}`);
}
