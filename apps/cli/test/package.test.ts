import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
type Manifest = { name: string; bin?: Record<string, string>; dependencies?: object };
const read = (path: string): Manifest => JSON.parse(readFileSync(path, 'utf8'));
const cli = read(here('../package.json'));
const apps = readdirSync(here('../..'))
  .filter((d) => d !== 'cli')
  .map((d) => ({ dir: d, manifest: read(here(`../../${d}/package.json`)) }));

describe('@rrm/cli', () => {
  test('ships every command an app declares, each from exactly one app', () => {
    const declared = apps.flatMap((a) => Object.keys(a.manifest.bin ?? {}));
    expect(new Set(declared).size).toBe(declared.length);
    expect(Object.keys(cli.bin ?? {}).sort()).toEqual(declared.sort());
    for (const [name, path] of Object.entries(cli.bin ?? {})) {
      expect(path).toBe(`./dist/${name}.js`);
    }
  });

  test('its tsup config builds each command from the source of the app declaring it', async () => {
    const { default: config } = await import('../tsup.config');
    const entry = (config as { entry: Record<string, string> }).entry;
    for (const a of apps) {
      for (const [name, out] of Object.entries(a.manifest.bin ?? {})) {
        const source = `../${a.dir}/${out.replace(/^\.\/dist\/(.*)\.js$/, 'src/$1.ts')}`;
        expect(entry[name]).toBe(source);
        expect(existsSync(here(`../${source}`))).toBe(true);
      }
    }
  });

  test.skipIf(!existsSync(here('../dist/rrm-train.js')))(
    'the built commands start and print their usage (after `pnpm build`)',
    () => {
      for (const name of Object.keys(cli.bin ?? {})) {
        const r = spawnSync(process.execPath, [here(`../dist/${name}.js`), '--help'], {
          encoding: 'utf8',
          timeout: 60_000,
        });
        expect(r.status, `${name} --help: ${r.stderr}`).toBe(0);
        expect(r.stdout + r.stderr).toMatch(/usage/i);
      }
    },
  );
});
