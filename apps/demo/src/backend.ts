import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import * as tf from '@tensorflow/tfjs-core';

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/**
 * Each backend is its own chunk, fetched only when tried, so a browser with
 * WebGPU never downloads the WebAssembly binaries and vice versa.
 */
const loaders: Record<BackendName, () => Promise<unknown>> = {
  webgpu: async () => {
    await import('@tensorflow/tfjs-backend-webgpu');
    // The fused WGSL kernels (SwiGLU, RMSNorm, attention) that @rrm/layers runs when present.
    (await import('@rrm/backend')).registerWebGpuKernels();
  },
  webgl: () => import('@tensorflow/tfjs-backend-webgl'),
  wasm: async () => {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // The binaries are bundled as assets so the page works offline (no CDN).
    wasm.setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmPlainUrl,
      'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
    });
  },
  cpu: () => import('@tensorflow/tfjs-backend-cpu'),
};

/** The renderers and adapters that run on the CPU (headless or GPU-less machines). */
const CPU_RENDERER = /swiftshader|llvmpipe|lavapipe|software/i;

/**
 * A WebGL that the browser emulates on the CPU is slower than WebAssembly, so it is
 * skipped unless forced.
 */
function softwareWebGL(): string | null {
  // A worker has no document, but an OffscreenCanvas gives the same renderer.
  const canvas =
    typeof document === 'undefined' ? new OffscreenCanvas(1, 1) : document.createElement('canvas');
  const gl = canvas.getContext('webgl2') as WebGL2RenderingContext | null;
  if (!gl) return null;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return CPU_RENDERER.test(renderer) ? renderer : null;
}

/**
 * Likewise a WebGPU adapter that runs on the CPU (SwiftShader, lavapipe: what headless
 * Chromium offers with --enable-unsafe-webgpu and no GPU), named from its adapter info.
 */
async function softwareWebGpu(): Promise<string | null> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  const adapter = await gpu?.requestAdapter();
  if (!adapter) return null;
  // `info` is newer than this TypeScript's DOM types.
  type Info = { vendor?: string; architecture?: string; description?: string };
  const { vendor, architecture, description } = (adapter as { info?: Info }).info ?? {};
  const name = [vendor, architecture, description].filter(Boolean).join(' ');
  return CPU_RENDERER.test(name) ? name : null;
}

/** The backends a browser may emulate on the CPU, and how to tell. */
const emulated: Partial<Record<BackendName, () => Promise<string | null>>> = {
  webgl: async () => softwareWebGL(),
  webgpu: softwareWebGpu,
};

export interface BackendChoice {
  name: BackendName;
  /** Why faster backends were skipped, for the page to show. */
  skipped: string[];
}

/**
 * Tries `forced` first (e.g. from `?backend=`) and then the others, fastest first, and
 * returns the first that initialises: a browser without the forced one (WebGPU with no
 * adapter) still gets a working page, and `skipped` says why it did not get that one.
 */
export async function chooseBackend(forced?: BackendName): Promise<BackendChoice> {
  const order = forced ? [forced, ...BACKENDS.filter((b) => b !== forced)] : BACKENDS;
  const skipped: string[] = [];
  for (const name of order) {
    const software = name === forced ? null : ((await emulated[name]?.()) ?? null);
    if (software) {
      skipped.push(`${name}: emulated on the CPU (${software}), slower than wasm`);
      continue;
    }
    try {
      await loaders[name]();
      if (!tf.findBackendFactory(name)) {
        skipped.push(`${name}: not supported by this browser`);
        continue;
      }
      if (await tf.setBackend(name)) {
        await tf.ready();
        return { name, skipped };
      }
      skipped.push(`${name}: failed to initialise`);
    } catch (e) {
      skipped.push(`${name}: ${(e as Error).message}`);
    }
  }
  throw new Error(`no TF.js backend could start (${skipped.join('; ')})`);
}

export function isBackendName(v: string | null): v is BackendName {
  return v !== null && (BACKENDS as readonly string[]).includes(v);
}
