/** Every name `selectBackend` accepts; `webgl` and `webgpu` only work in browsers. */
export const BACKEND_NAMES = [
  'auto',
  'tensorflow',
  'native',
  'wasm',
  'cpu',
  'webgl',
  'webgpu',
] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
/** A TF.js backend that selection can end on. */
export type ChosenBackend = Exclude<BackendName, 'auto'>;

export function isBackendName(value: unknown): value is BackendName {
  return typeof value === 'string' && (BACKEND_NAMES as readonly string[]).includes(value);
}

/**
 * Validates a backend name from a CLI flag, config or URL; `field` names where it came
 * from in the error.
 */
export function parseBackendName(value: string | undefined, field = '--backend'): BackendName {
  if (value === undefined || value === '') return 'auto';
  const v = value.trim().toLowerCase();
  if (!isBackendName(v)) {
    throw new Error(
      `${field}: unknown backend "${value}" (expected one of ${BACKEND_NAMES.join(', ')})`,
    );
  }
  return v;
}
