import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

// Each command's source is the app that declares it in its own package.json `bin`
// (`./dist/X.js` built from `src/X.ts`); this package's `bin` picks which commands ship, so
// adding one is one line there (and `node scripts/package-meta.mjs --write` for its deps).
type Manifest = { bin?: Record<string, string> };
const read = (path: string): Manifest => JSON.parse(readFileSync(path, 'utf8'));

const sources = new Map<string, string>();
for (const app of readdirSync('..')) {
  if (app === 'cli') continue;
  for (const [name, out] of Object.entries(read(`../${app}/package.json`).bin ?? {})) {
    sources.set(name, `../${app}/${out.replace(/^\.\/dist\/(.*)\.js$/, 'src/$1.ts')}`);
  }
}
const entry: Record<string, string> = {};
for (const name of Object.keys(read('package.json').bin ?? {})) {
  const source = sources.get(name);
  if (source === undefined) throw new Error(`bin ${name}: no app under apps/ declares it`);
  entry[name] = source;
}

export default defineConfig({
  entry,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  clean: true,
  // The libraries are dependencies, resolved at run time; only the apps' own code is bundled.
  external: [/^[^./]/],
  // rrm-demo serves the web app from `web/` beside its script (built by @rrm/app-demo).
  onSuccess: async () => {
    cpSync('../demo/dist/web', 'dist/web', { recursive: true });
  },
});
