// Builds the native addon at install time. It never fails the install: when the
// build fails it prints one line, records the reason in build/install-error.txt
// (the loader reports it) and exits 0, so the `native` backend is simply absent.
// `--strict` (turbo's build:native, which the tests depend on; turbo runs it when the
// sources' contents change, and the file dates then show them newer than the addon) fails
// loudly instead, so that turbo caches only a built addon.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = join(root, 'build');
const logFile = join(buildDir, 'install.log');
const errorFile = join(buildDir, 'install-error.txt');

const strict = process.argv.includes('--strict');

function giveUp(reason) {
  if (strict) {
    console.error(`@rrm/tfjs-backend-native: addon not built: ${reason}`);
    process.exit(1);
  }
  mkdirSync(buildDir, { recursive: true });
  writeFileSync(errorFile, `${reason}\n`);
  console.log(
    `@rrm/tfjs-backend-native: addon not built (${reason}); the 'native' backend is unavailable`,
  );
  process.exit(0);
}

const addon = join(buildDir, 'Release', 'rrm_native.node');

// Node-API is ABI-stable across Node versions, so an addon newer than every
// source needs no rebuild (repeated `pnpm install`s in a workspace stay cheap).
function upToDate() {
  if (!existsSync(addon)) return false;
  const built = statSync(addon).mtimeMs;
  const sources = [
    join(root, 'binding.gyp'),
    ...readdirSync(join(root, 'native')).map((f) => join(root, 'native', f)),
  ];
  return sources.every((f) => statSync(f).mtimeMs < built);
}

if (upToDate() && !process.env.RRM_NATIVE_REBUILD) {
  rmSync(errorFile, { force: true });
  console.log(`@rrm/tfjs-backend-native: addon up to date (${addon})`);
  process.exit(0);
}
rmSync(errorFile, { force: true });
if (process.env.RRM_NATIVE_SKIP_BUILD) giveUp('RRM_NATIVE_SKIP_BUILD is set');

let gyp;
try {
  gyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
} catch {
  giveUp('node-gyp is not installed');
}

// Build against the headers that ship with this Node when they exist, so no
// download from nodejs.org is needed (offline machines, CI).
// One compiler per core: the sources are independent, and this runs in every fresh install.
const args = [gyp, 'rebuild', '--jobs=max'];
const headers = join(dirname(process.execPath), '..', 'include', 'node');
if (!process.env.npm_config_nodedir && existsSync(join(headers, 'node_api.h'))) {
  args.push(`--nodedir=${join(headers, '..', '..')}`);
}

const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
mkdirSync(buildDir, { recursive: true });
writeFileSync(logFile, `${result.stdout ?? ''}${result.stderr ?? ''}`);
if (result.status !== 0) {
  const firstError = `${result.stderr ?? ''}`
    .split('\n')
    .find((line) => /error|not found|No package/i.test(line));
  giveUp(`node-gyp failed: ${(firstError ?? `exit ${result.status}`).trim()}; log: ${logFile}`);
}
console.log(
  `@rrm/tfjs-backend-native: addon built (${join(buildDir, 'Release', 'rrm_native.node')})`,
);
