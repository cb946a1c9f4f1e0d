/**
 * Node-only probes. They reach Node's built-ins through `process.getBuiltinModule` at call
 * time instead of `import 'node:fs'`, so browser bundles of this package contain no Node
 * imports at all (Vite would otherwise stub them and warn).
 */

function builtins() {
  const get = process.getBuiltinModule;
  return {
    fs: get('node:fs') as typeof import('node:fs'),
    path: get('node:path') as typeof import('node:path'),
    require: (get('node:module') as typeof import('node:module')).createRequire(import.meta.url),
  };
}

/**
 * tfjs-node(-gpu) is an optional peer: installing it is the opt-in, because its install
 * script downloads libtensorflow and builds `lib/napi-v*\/tfjs_binding.node`. Importing the
 * package without that addon fails half-way through registering kernels (and prints
 * hundreds of warnings), so look first. Returns why it cannot load, saying how to add it,
 * or null when the addon is there.
 */
export function tfjsNodeAddonProblem(pkg: string): string | null {
  const { fs, path, require } = builtins();
  let dir: string;
  try {
    dir = path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    return `not installed (to use it: npm install ${pkg}, which downloads libtensorflow)`;
  }
  const lib = path.join(dir, 'lib');
  const built =
    fs.existsSync(lib) &&
    fs.readdirSync(lib).some((d) => fs.existsSync(path.join(lib, d, 'tfjs_binding.node')));
  return built
    ? null
    : `native addon lib/napi-v*/tfjs_binding.node not built (its install script, which downloads libtensorflow, did not run: npm rebuild ${pkg} runs it)`;
}

/** The folder holding the tfjs-backend-wasm `.wasm` files, with a trailing separator. */
export function wasmDistDir(): string {
  const { path, require } = builtins();
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
}
