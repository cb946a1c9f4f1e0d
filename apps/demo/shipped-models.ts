/**
 * The repo's trained models (`models/<name>/`) in the demo's model picker: at build the
 * files the page loads are copied to `models/<name>/` of the built site beside an
 * `index.json` that names each model and gives its measured accuracy (from its
 * `eval/*.json`, written by `rrm-eval --json`); the dev server serves the same.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'vite';

/** Shown in this order, after the page's default 6×6 checkpoint. */
const SHIPPED = [
  'trm-sudoku-9x9',
  'hrm-sudoku-9x9',
  'trm-sudoku-9x9-single',
  'trm-maze',
  'hrm-maze',
  'trm-maze-single',
];
const FILES = ['config.json', 'model.safetensors', 'metrics.jsonl'];

export interface ShippedModel {
  name: string;
  /** The MODEL.md title after the name. */
  title: string;
  /** What it solves: its config's `build_data.kind` (sudoku, maze, arc). */
  task: string;
  /** Exact accuracy on each evaluation set, as `eval/<set>.json` records it. */
  accuracy: Array<{ set: string; puzzles: number; exact: number }>;
}

/** `g36-40` → "36–40 givens"; other names as they are, dashes as spaces. */
const setLabel = (file: string) => {
  const m = /^g(\d+)-(\d+)$/.exec(file);
  return m ? `${m[1]}–${m[2]} givens` : file.replaceAll('-', ' ');
};

function describe(root: string, name: string): ShippedModel {
  const dir = join(root, name);
  const heading = readFileSync(join(dir, 'MODEL.md'), 'utf8').split('\n')[0];
  const title = heading.replace(/^#\s*/, '').replace(`${name}: `, '');
  const evalDir = join(dir, 'eval');
  const accuracy = (existsSync(evalDir) ? readdirSync(evalDir) : [])
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const all = JSON.parse(readFileSync(join(evalDir, f), 'utf8')).result.sets.all;
      return { set: setLabel(f.slice(0, -5)), puzzles: all.count, exact: all.exact_accuracy };
    });
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  return { name, title, task: String(config.build_data?.kind ?? 'unknown'), accuracy };
}

/** Site path → bytes of everything the picker needs. */
function siteFiles(root: string): Map<string, () => Buffer | string> {
  const files = new Map<string, () => Buffer | string>();
  const index = SHIPPED.filter((n) => existsSync(join(root, n))).map((n) => describe(root, n));
  files.set('models/index.json', () => `${JSON.stringify(index, null, 2)}\n`);
  for (const { name } of index)
    for (const f of FILES)
      files.set(`models/${name}/${f}`, () => readFileSync(join(root, name, f)));
  return files;
}

export function shippedModels(root: string): Plugin {
  return {
    name: 'rrm-shipped-models',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        // The site's own paths are plain ASCII: anything else is not ours to serve.
        const path = (req.url ?? '').split('?')[0].replace(/^\//, '');
        const file = siteFiles(root).get(path);
        if (!file) return next();
        res.end(file());
      });
    },
    generateBundle() {
      for (const [fileName, read] of siteFiles(root))
        this.emitFile({ type: 'asset', fileName, source: read() });
    },
  };
}
