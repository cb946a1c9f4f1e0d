import * as tf from '@tensorflow/tfjs-core';
import type { BackendName, ChosenBackend } from './names';
import { tfjsNodeAddonProblem, wasmDistDir } from './node';

interface Candidate {
  label: string; // what the log line calls it
  backend: ChosenBackend; // the TF.js backend name it registers
  /** Loads and registers it; may return what the log line should add (the adapter). */
  load: () => Promise<unknown>;
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
    const mod = await importAtRuntime<{
      registerNativeBackend: () => void;
      blasNotice: () => string | null;
    }>('@rrm/tfjs-backend-native');
    mod.registerNativeBackend();
    return mod.blasNotice() ?? undefined;
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

const webgl: Candidate = {
  label: 'webgl',
  backend: 'webgl',
  load: async () => {
    if (isNode()) throw new Error('only available in a browser');
    await import('@tensorflow/tfjs-backend-webgl');
  },
};

/**
 * WebGPU: in a browser TF.js's own registration; in Node Dawn through the optional
 * `webgpu` package, on a hardware adapter only when `auto` picks it (a software one is
 * for correctness checks, far slower than `native`), and only for callers that read
 * tensors asynchronously, since Node's has no synchronous reads.
 */
function webgpu(hardwareOnly: boolean, asyncReads: boolean): Candidate {
  return {
    label: 'webgpu',
    backend: 'webgpu',
    load: async () => {
      if (!isNode()) {
        await import('@tensorflow/tfjs-backend-webgpu');
        const { registerWebGpuKernels } = await import('./webgpu-kernels');
        registerWebGpuKernels();
        return undefined;
      }
      if (!asyncReads) {
        throw new Error(
          'this program reads tensors synchronously (dataSync), which webgpu in Node cannot',
        );
      }
      const { startNodeWebGpu } = await import('./webgpu-node');
      return `adapter ${await startNodeWebGpu({ hardwareOnly })}`;
    },
  };
}

function candidates(name: BackendName, asyncReads: boolean): Candidate[] {
  const tensorflow = [tfjsNode('@tensorflow/tfjs-node-gpu'), tfjsNode('@tensorflow/tfjs-node')];
  switch (name) {
    case 'auto':
      // A GPU through CUDA, then any other GPU, before the CPU backends.
      return isNode()
        ? [tensorflow[0], webgpu(true, asyncReads), tensorflow[1], native, wasm, cpu]
        : [webgpu(false, true), webgl, wasm, cpu];
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
      return [webgpu(false, asyncReads)];
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

/**
 * Loads and activates one candidate: `{ skipped }` says why it could not, `{ note }` what
 * the log line adds about the one that started.
 */
async function tryCandidate(c: Candidate): Promise<{ skipped: string } | { note?: string }> {
  let note: string | undefined;
  try {
    const loaded = await c.load();
    if (typeof loaded === 'string') note = loaded;
  } catch (e) {
    return { skipped: `not available: ${firstLine(e)}` };
  }
  if (tf.findBackendFactory(c.backend) === null)
    return { skipped: 'not available: loaded but registered no backend' };
  const { result: ok, warnings } = await capturingWarnings(() => tf.setBackend(c.backend));
  if (!ok) {
    const why = warnings.length > 0 ? `: ${warnings.filter(Boolean).join('; ')}` : '';
    return { skipped: `failed to initialise${why}` };
  }
  await tf.ready();
  return { note };
}

export interface SelectBackendOptions {
  /** Receives the one summary line; default console.log. */
  log?: (line: string) => void;
  /**
   * The caller reads tensors only with `await` (`data()`, never `dataSync()`). webgpu in
   * Node has no synchronous reads, so without this it is skipped (auto) or refused.
   */
  asyncReads?: boolean;
}

/**
 * Activates a TF.js backend. `auto` tries, in Node, @tensorflow/tfjs-node-gpu, webgpu on
 * a hardware adapter (with `asyncReads`), @tensorflow/tfjs-node, native, wasm, cpu (in a
 * browser: webgpu, webgl, wasm, cpu) and takes the first that starts. Logs one line naming the backend and why each earlier
 * one was skipped. A named backend that cannot start is an error that says why.
 * Returns the TF.js backend now active.
 */
export async function selectBackend(
  name: BackendName = 'auto',
  opts: SelectBackendOptions = {},
): Promise<ChosenBackend> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const skipped: string[] = [];
  for (const c of candidates(name, opts.asyncReads ?? false)) {
    const r = await tryCandidate(c);
    if (!('skipped' in r)) {
      const via = c.label === c.backend ? '' : ` via ${c.label}`;
      const note = r.note ? ` on ${r.note}` : '';
      const why = skipped.length > 0 ? ` (skipped ${skipped.join('; ')})` : '';
      log(`backend: ${c.backend}${via}${note}${why}`);
      return c.backend;
    }
    skipped.push(`${c.label}: ${r.skipped}`);
  }
  throw new Error(`backend "${name}" cannot be used: ${skipped.join('; ')}`);
}

/**
 * Why `webgpu` cannot start here, or null when it did (it is then the active backend):
 * for tests and scripts that skip, with that reason, where no adapter can be created.
 */
export async function webgpuUnavailable(): Promise<string | null> {
  try {
    await selectBackend('webgpu', { log: () => {}, asyncReads: true });
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
