#!/usr/bin/env node
// Keeps every workspace package's metadata in step with the root package.json, the one
// place for license, repository and engines. Publishable packages (not `private`) also get
// the prepack guard, `LICENSE` at pack time and publish-time exports without the `source`
// condition (which points at src/, not shipped). @rrm/cli's dependencies are those of the
// apps whose commands it ships. Checks by default (CI: `pnpm lint`); `--write` fixes.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const readJson = (path) => JSON.parse(readFileSync(join(root, path), 'utf8'));
const rootManifest = readJson('package.json');
const PREPACK = 'node ../../scripts/prepack.mjs';

const dirs = ['packages', 'apps'].flatMap((group) =>
  readdirSync(join(root, group), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => `${group}/${d.name}`),
);
const manifests = new Map(dirs.map((dir) => [dir, readJson(`${dir}/package.json`)]));

/** `exports` or `imports` minus the `source` condition, at any depth. */
function withoutSource(value) {
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'source')
      .map(([key, v]) => [key, withoutSource(v)]),
  );
}

/** The union of the dependencies of the apps that declare the commands `bin` ships. */
function cliDependencies(bin) {
  const deps = {};
  for (const name of Object.keys(bin)) {
    const app = [...manifests.values()].find((m) => m.private && m.bin?.[name] !== undefined);
    if (app === undefined) throw new Error(`@rrm/cli: bin ${name} is declared by no app`);
    Object.assign(deps, app.dependencies);
  }
  return Object.fromEntries(Object.entries(deps).sort(([a], [b]) => a.localeCompare(b)));
}

/** The manifest as it should be: derived fields set, key order kept. */
function expected(dir, m) {
  const out = {
    ...m,
    license: rootManifest.license,
    repository: { ...rootManifest.repository, directory: dir },
    engines: rootManifest.engines,
    scripts: { ...m.scripts },
  };
  // The examples are run by turbo's `examples` task (scripts/examples.mjs).
  if (existsSync(join(root, dir, 'examples')))
    out.scripts = { ...out.scripts, examples: 'node ../../scripts/examples.mjs run' };
  if (m.private) return out;
  out.scripts = { ...out.scripts, prepack: PREPACK };
  out.publishConfig = { access: 'public' };
  for (const field of ['exports', 'imports'])
    if (m[field] !== undefined) out.publishConfig[field] = withoutSource(m[field]);
  if (m.name === '@rrm/cli') out.dependencies = cliDependencies(m.bin ?? {});
  return out;
}

/** Problems only a person can fix. */
function manual(dir, m) {
  const problems = [];
  if (m.private) return problems;
  if (!Array.isArray(m.keywords) || m.keywords.length === 0) problems.push('no keywords');
  if (typeof m.description !== 'string' || m.description === '') problems.push('no description');
  for (const f of ['dist', 'README.md'])
    if (!m.files?.includes(f)) problems.push(`"files" lacks ${f}`);
  return problems.map((p) => `${dir}/package.json: ${p}`);
}

const write = process.argv.includes('--write');
const problems = [];
for (const [dir, m] of manifests) {
  problems.push(...manual(dir, m));
  const want = expected(dir, m);
  const text = `${JSON.stringify(want, null, 2)}\n`;
  if (text === readFileSync(join(root, dir, 'package.json'), 'utf8')) continue;
  if (write) writeFileSync(join(root, dir, 'package.json'), text);
  else {
    const stale = Object.keys(want).filter((k) => JSON.stringify(want[k]) !== JSON.stringify(m[k]));
    problems.push(
      `${dir}/package.json: ${stale.length ? stale.join(', ') : 'formatting'} out of date`,
    );
  }
}
if (problems.length > 0) {
  for (const p of problems) console.error(p);
  if (!write) console.error('package-meta: run `node scripts/package-meta.mjs --write`');
  process.exit(1);
}
