import * as tf from '@tensorflow/tfjs-core';

/**
 * Node's ESM loader cannot read tfjs-core's ESM `dist/` files: their relative imports
 * have no extension (and `./gradients` is both a file and a folder). This resolve hook
 * adds `.js` to them. Bundlers (Vite, vitest) resolve them by themselves.
 */
const RESOLVE_HOOK = `
export function resolve(specifier, context, next) {
  const inCore = (context.parentURL ?? '').includes('/@tensorflow/tfjs-core/dist/') ||
    specifier.startsWith('@tensorflow/tfjs-core/dist/');
  const bare = !specifier.endsWith('.js') && (specifier.startsWith('.') || specifier.startsWith('@tensorflow/tfjs-core/dist/'));
  return next(inCore && bare ? specifier + '.js' : specifier, context);
}`;

const isNode = (): boolean =>
  typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/**
 * Registers TF.js's gradient functions, which `@tensorflow/tfjs-core` alone does not
 * (the `@tensorflow/tfjs` bundle does). Idempotent; source-mode Node awaits it on import
 * (register-gradients-hook.ts); builds and bundlers need no hook.
 * The registry is global, so the ESM copy of the gradient modules loaded in Node serves
 * the engine of the CommonJS build too.
 */
export async function registerGradients(): Promise<void> {
  if (tf.getGradient('Square') !== undefined) return;
  if (isNode()) {
    const { register } = process.getBuiltinModule('node:module') as typeof import('node:module');
    register(`data:text/javascript,${encodeURIComponent(RESOLVE_HOOK)}`);
  }
  await import('@tensorflow/tfjs-core/dist/register_all_gradients');
}
