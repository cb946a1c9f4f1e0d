import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A path under the repository's sibling `shared/` folder, and whether it exists (with a note when not). */
export function sharedPath(relative: string): { path: string; missing: boolean } {
  const path = fileURLToPath(new URL(`../../../../shared/${relative}`, import.meta.url));
  const missing = !existsSync(path);
  if (missing) console.warn(`skipping: shared test data not found at ${path}`);
  return { path, missing };
}
