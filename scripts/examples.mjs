#!/usr/bin/env node
// The packages' examples and their READMEs, kept as one.
//   node scripts/examples.mjs check [--write]   every ```ts block of a package README is an
//     example: its first line names the file (`... packages/NAME/examples/FILE.ts`) and the
//     block is that file, byte for byte; every package has an example and every example is
//     in the README. --write copies the files into the blocks. (`pnpm lint` runs the check.)
//   node scripts/examples.mjs run                 in a package folder: runs each of its
//     examples as the README says (tsx, source condition, from the repository root).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const TIMEOUT_S = 120;
const FENCE = /^```ts\n([\s\S]*?)^```$/gm;
const NAMED = /packages\/([\w-]+)\/examples\/([\w.-]+\.ts)/;

const examplesOf = (dir) =>
  existsSync(join(dir, 'examples'))
    ? readdirSync(join(dir, 'examples'))
        .filter((f) => f.endsWith('.ts'))
        .sort()
    : [];

function check(write) {
  const problems = [];
  for (const name of readdirSync(join(root, 'packages')).sort()) {
    const dir = join(root, 'packages', name);
    const readmePath = join(dir, 'README.md');
    const readme = readFileSync(readmePath, 'utf8');
    const unused = new Set(examplesOf(dir));
    if (unused.size === 0) problems.push(`packages/${name}: no examples/*.ts`);
    const updated = readme.replace(FENCE, (block, body) => {
      const named = NAMED.exec(body.split('\n')[0]);
      if (named === null || named[1] !== name) {
        problems.push(
          `packages/${name}/README.md: a ts block whose first line names no packages/${name}/examples/ file`,
        );
        return block;
      }
      const file = join(dir, 'examples', named[2]);
      if (!existsSync(file)) {
        problems.push(`packages/${name}/README.md: names ${named[0]}, which does not exist`);
        return block;
      }
      unused.delete(named[2]);
      const text = readFileSync(file, 'utf8');
      if (text === body) return block;
      if (!write) problems.push(`packages/${name}/README.md: its block differs from ${named[0]}`);
      return `\`\`\`ts\n${text}\`\`\``;
    });
    for (const f of unused) problems.push(`packages/${name}/README.md: lacks examples/${f}`);
    if (write && updated !== readme) writeFileSync(readmePath, updated);
  }
  if (problems.length > 0) {
    for (const p of problems) console.error(p);
    console.error(
      'examples: fix the above (`node scripts/examples.mjs check --write` copies files)',
    );
    process.exit(1);
  }
}

function run() {
  const dir = process.cwd();
  let failed = 0;
  for (const f of examplesOf(dir)) {
    const file = relative(root, join(dir, 'examples', f));
    const t0 = Date.now();
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=source', file], {
      cwd: root,
      encoding: 'utf8',
      timeout: TIMEOUT_S * 1000,
    });
    const s = ((Date.now() - t0) / 1000).toFixed(1);
    if (r.status === 0) console.log(`example ${file}: ok (${s} s)`);
    else {
      failed++;
      const why = r.error ? `${r.error.message} (limit ${TIMEOUT_S} s)` : `exit ${r.status}`;
      console.error(`example ${file}: failed, ${why}\n${r.stdout}${r.stderr}`);
    }
  }
  if (failed > 0) process.exit(1);
}

const [mode, flag] = process.argv.slice(2);
if (mode === 'check') check(flag === '--write');
else if (mode === 'run') run();
else {
  console.error(`usage: node scripts/${basename(process.argv[1])} check [--write] | run`);
  process.exit(2);
}
