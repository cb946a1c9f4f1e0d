import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, test } from 'vitest';

// The prepack guard every publishable package runs (scripts/prepack.mjs), on a stand-in.
const script = fileURLToPath(new URL('../../../scripts/prepack.mjs', import.meta.url));
const license = fileURLToPath(new URL('../../../LICENSE', import.meta.url));
let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function pack(files: string[]) {
  dir = mkdtempSync(join(tmpdir(), 'prepack-'));
  const manifest = {
    name: '@rrm/example',
    exports: {
      '.': { source: './src/index.ts', types: './dist/index.d.ts', import: './dist/index.js' },
    },
    publishConfig: { exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' } } },
    bin: { 'rrm-example': './dist/cli.js' },
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest));
  mkdirSync(join(dir, 'dist'));
  for (const f of files) writeFileSync(join(dir, f), '');
  return spawnSync(process.execPath, [script], { cwd: dir, encoding: 'utf8' });
}

test('refuses to pack, naming each missing file, when the build is missing or partial', () => {
  const r = pack(['dist/index.js']);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('@rrm/example: cannot pack, missing ./dist/index.d.ts, ./dist/cli.js');
  expect(existsSync(join(dir, 'LICENSE'))).toBe(false);
});

test('packs a built package with the repository LICENSE, ignoring the source condition', () => {
  const r = pack(['dist/index.js', 'dist/index.d.ts', 'dist/cli.js']);
  expect(r.status, r.stderr).toBe(0);
  expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toBe(readFileSync(license, 'utf8'));
});
