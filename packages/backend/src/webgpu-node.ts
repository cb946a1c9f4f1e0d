/**
 * WebGPU in Node through the optional `webgpu` package (Dawn's Node bindings). Node-only:
 * built-ins are reached through node.ts's `builtins()` at call time.
 */
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import { builtins } from './node';
import { registerWebGpuKernels } from './webgpu-kernels';

/** How Dawn is asked for an adapter: `create()` flags and the requestAdapter options. */
export interface DawnAttempt {
  /** What the choice line calls it. */
  api: string;
  flags: string[];
  request: Record<string, string>;
}

/** What an adapter says about itself (GPUAdapterInfo), plus the spec's fallback flag. */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
}

export type ProbeResult = DawnAttempt & ({ info: AdapterInfo } | { error: string });

/**
 * The platform's own API first (Vulkan, Metal or D3D12); then Dawn's OpenGL backend in
 * compatibility mode, which is what runs on Mesa where Dawn's Vulkan backend refuses the
 * driver (llvmpipe's lavapipe lacks dynamic indexing of uniform arrays).
 */
export const DAWN_ATTEMPTS: DawnAttempt[] = [
  { api: 'default', flags: [], request: { powerPreference: 'high-performance' } },
  {
    api: 'opengl',
    flags: ['backend=opengl'],
    request: { powerPreference: 'high-performance', featureLevel: 'compatibility' },
  },
];

// CPU rasterisers: Mesa's llvmpipe, lavapipe and softpipe, SwiftShader, Windows' WARP.
const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|basic render|\bwarp\b|software/i;

/** True for an adapter that renders on the CPU: a correctness path, never picked by `auto`. */
export function isSoftwareAdapter(info: AdapterInfo): boolean {
  return (
    info.isFallbackAdapter ||
    SOFTWARE.test([info.vendor, info.architecture, info.device, info.description].join(' '))
  );
}

/** One short name for the choice line, e.g. `llvmpipe (opengl, software)`. */
export function describeAdapter(r: DawnAttempt & { info: AdapterInfo }): string {
  const { vendor, architecture, device, description } = r.info;
  // Mesa's GL names pad the device with dashes ("llvmpipe-llvm-15-0-6-256-bits-").
  const name =
    [vendor, architecture, device.replace(/-+$/, '')].filter(Boolean).join(' ') ||
    description ||
    'unnamed adapter';
  return `${name} (${r.api}${isSoftwareAdapter(r.info) ? ', software' : ''})`;
}

/** Mesa's EGL needs no display server for compute when told so; an explicit setting wins. */
function eglEnv(): void {
  if (process.platform === 'linux' && process.env.EGL_PLATFORM === undefined) {
    process.env.EGL_PLATFORM = 'surfaceless';
  }
}

/** The `webgpu` package's entry as a file URL, which the probe and this process import. */
function webgpuUrl(): string {
  const { url, require } = builtins();
  try {
    return url.pathToFileURL(require.resolve('webgpu')).href;
  } catch {
    throw new Error('package webgpu not installed');
  }
}

// Runs in a child Node: asks Dawn for each attempt's adapter and prints what it found.
const PROBE = `
const [url, attempts] = JSON.parse(process.argv[1]);
const { create } = await import(url);
const out = [];
for (const a of attempts) {
  try {
    const adapter = await create(a.flags).requestAdapter(a.request);
    if (!adapter) { out.push({ ...a, error: 'no adapter' }); continue; }
    const i = adapter.info;
    const info = { vendor: i.vendor, architecture: i.architecture, device: i.device,
      description: i.description, isFallbackAdapter: !!(i.isFallbackAdapter ?? adapter.isFallbackAdapter) };
    out.push({ ...a, info });
  } catch (e) {
    out.push({ ...a, error: String(e?.message ?? e).split('\\n')[0] });
  }
}
process.stdout.write(JSON.stringify(out));
process.exit(0);
`;

/**
 * Asks Dawn, in a child process, which adapters each attempt gets. A child, because Dawn
 * prints its refusals of drivers straight to stderr (which the child's discards), and a
 * driver that crashes takes down only the probe. Throws when the package is missing.
 */
export function probeAdapters(attempts: DawnAttempt[] = DAWN_ATTEMPTS): ProbeResult[] {
  const { childProcess } = builtins();
  eglEnv();
  const arg = JSON.stringify([webgpuUrl(), attempts]);
  const r = childProcess.spawnSync(process.execPath, ['--input-type=module', '-e', PROBE, arg], {
    encoding: 'utf8',
    timeout: 60_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status !== 0 || !r.stdout) {
    const why = r.error?.message ?? (r.stderr.trim().split('\n').pop() || `exit ${r.status}`);
    throw new Error(`the adapter probe failed: ${why}`);
  }
  return JSON.parse(r.stdout) as ProbeResult[];
}

interface GpuLike {
  requestAdapter(opts: Record<string, string>): Promise<AdapterLike | null>;
}
interface AdapterLike {
  info: unknown;
  features: Set<string>;
  limits: Record<string, number>;
  requestDevice(desc: Record<string, unknown>): Promise<unknown>;
}
interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

/**
 * TF.js reads GPU data synchronously through OffscreenCanvas, which Node lacks, and Dawn
 * maps buffers only asynchronously: a synchronous read of GPU data is a named error
 * instead of a ReferenceError from deep inside the backend.
 */
function withAsyncReadsOnly(Base: typeof WebGPUBackend) {
  return class NodeWebGpuBackend extends Base {
    override readSync(dataId: object): tf.backend_util.BackendValues {
      const d = this.tensorMap.get(dataId);
      if (d?.values != null || d?.dtype === 'string') return super.readSync(dataId);
      throw new Error(
        'webgpu in Node cannot read a GPU tensor synchronously (dataSync, arraySync, ' +
          'bufferSync): Dawn maps buffers only asynchronously; use await tensor.data()',
      );
    }
  };
}

/** The adapter this process started, once it has: a process gets one device. */
let started: (DawnAttempt & { info: AdapterInfo }) | null = null;

/**
 * Picks an adapter from `probe` (a hardware one when `hardwareOnly`, else the first
 * found), starts it in this process and registers TF.js's `webgpu` backend on it with the
 * fused kernels. Returns the adapter's name for the choice line; throws saying why none
 * fits. Idempotent: a second call returns the adapter already started (or, wanting
 * hardware, refuses the software one started before).
 */
export async function startNodeWebGpu(
  opts: { hardwareOnly: boolean },
  probe: () => ProbeResult[] = probeAdapters,
): Promise<string> {
  const results =
    started !== null && tf.findBackendFactory('webgpu') !== null ? [started] : probe();
  const found = results.filter((r): r is DawnAttempt & { info: AdapterInfo } => 'info' in r);
  const hardware = found.find((r) => !isSoftwareAdapter(r.info));
  const pick = hardware ?? (opts.hardwareOnly ? undefined : found[0]);
  if (pick !== undefined && pick === started) return describeAdapter(pick);
  if (pick === undefined) {
    if (found.length > 0) {
      const names = found.map(describeAdapter).join(', ');
      throw new Error(`only a software adapter, ${names}, which only --backend webgpu uses`);
    }
    throw new Error(
      `no adapter (${results.map((r) => `${r.api}: ${'error' in r ? r.error : ''}`).join(', ')})`,
    );
  }
  // Imported before navigator.gpu exists, so the package's own registration (which
  // requests an adapter with neither the flags nor the feature level) stays off.
  const tfWebGpu = await import('@tensorflow/tfjs-backend-webgpu');
  const dawn = (await import(/* @vite-ignore */ webgpuUrl())) as DawnModule;
  for (const [k, v] of Object.entries(dawn.globals)) {
    if (!(k in globalThis)) Object.defineProperty(globalThis, k, { value: v, configurable: true });
  }
  if (pick.api === 'opengl') eglEnv();
  const gpu = dawn.create(pick.flags);
  const adapter = await gpu.requestAdapter(pick.request);
  if (adapter === null) throw new Error(`${describeAdapter(pick)} vanished after the probe`);
  // The limits TF.js's own factory asks for: the adapter's, not the spec's defaults.
  const L = adapter.limits;
  const device = await adapter.requestDevice({
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
    requiredLimits: {
      maxComputeWorkgroupStorageSize: L.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: L.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: L.maxStorageBufferBindingSize,
      maxBufferSize: L.maxBufferSize,
      maxComputeWorkgroupSizeX: L.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: L.maxComputeInvocationsPerWorkgroup,
      // The attention gradient binds six storage buffers; compatibility mode's default is 4.
      maxStorageBuffersPerShaderStage: L.maxStorageBuffersPerShaderStage,
    },
  });
  // WebGPU reports invalid commands only as events (the dispatch is dropped, its output
  // left at zero); say so instead of computing on silently.
  (device as EventTarget).addEventListener('uncapturederror', (e) => {
    console.error(`webgpu: ${(e as Event & { error: { message: string } }).error.message}`);
  });
  // TF.js's backend checks navigator.gpu; Node 20 has no navigator, Node 21+ one without gpu.
  const g = globalThis as { navigator?: object };
  g.navigator ??= {};
  Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  const Backend = withAsyncReadsOnly(tfWebGpu.WebGPUBackend);
  type Args = ConstructorParameters<typeof WebGPUBackend>;
  tf.registerBackend('webgpu', () => new Backend(device as Args[0], adapter.info as Args[1]), 0);
  registerWebGpuKernels();
  started = pick;
  return describeAdapter(pick);
}
