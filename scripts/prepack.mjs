#!/usr/bin/env node
// The prepack guard of every publishable package (run by `pnpm pack` / `pnpm publish` in
// the package folder): refuses to pack when a file the manifest points at is missing,
// instead of publishing a tarball with only package.json and README, and copies the
// repository's LICENSE in (it is git-ignored there).
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const m = JSON.parse(readFileSync('package.json', 'utf8'));

/** Every path a condition of `exports` (or main, types, bin) resolves to. */
function targets(value) {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null) return [];
  return Object.values(value).flatMap(targets);
}
const paths = [
  ...targets(m.publishConfig?.exports ?? m.exports),
  ...targets(m.main),
  ...targets(m.types),
  ...targets(m.bin),
];
const missing = [...new Set(paths)].filter((p) => !existsSync(p));
if (missing.length > 0) {
  console.error(
    `${m.name}: cannot pack, missing ${missing.join(', ')}; build first (\`pnpm build\` at the repository root)`,
  );
  process.exit(1);
}
copyFileSync(fileURLToPath(new URL('../LICENSE', import.meta.url)), 'LICENSE');
