#!/usr/bin/env bash
# The consumer test: what a user gets from npm. Packs every publishable package (the
# tarballs `pnpm publish` would upload), installs them with plain npm in an empty folder,
# trains a few steps with `npx rrm-train`, evaluates the run with `npx rrm-eval`,
# type-checks and runs a TypeScript consumer (node16 resolution) and bundles it for
# browsers as an es2020 IIFE. Needs the npm registry for third-party packages only.
# Usage: scripts/consumer-test.sh [--keep]   (--keep leaves the temporary folder)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
start=$SECONDS
tmp=$(mktemp -d)
[ "${1:-}" = --keep ] && echo "consumer-test: working in $tmp" || trap 'rm -rf "$tmp"' EXIT
step() { echo "consumer-test: [$((SECONDS - start)) s] $*"; }

step "build (the published packages)"
pnpm exec turbo run build --filter='./packages/*' --filter=@rrm/cli >"$tmp/build.log" 2>&1 || {
  cat "$tmp/build.log"
  exit 1
}

step "pack"
mkdir -p "$tmp/packs" "$tmp/app"
for manifest in packages/*/package.json apps/*/package.json; do
  dir=$(dirname "$manifest")
  if node -e 'process.exit(require(process.argv[1]).private ? 1 : 0)' "$repo/$manifest"; then
    (cd "$dir" && pnpm pack --pack-destination "$tmp/packs" >"$tmp/pack-${dir//\//-}.log" 2>&1) &
  fi
done
for job in $(jobs -p); do wait "$job" || { cat "$tmp"/pack-*.log; exit 1; }; done

# Every @rrm package comes from its tarball, also where another one depends on it.
node - "$tmp" "$repo/scripts/consumer" <<'JS'
const { readdirSync, writeFileSync, copyFileSync } = require('node:fs');
const [tmp, src] = process.argv.slice(2);
const deps = {};
for (const f of readdirSync(`${tmp}/packs`)) {
  const name = f.replace(/^rrm-(.*)-\d+\.\d+\.\d+\.tgz$/, '@rrm/$1');
  deps[name] = `file:../packs/${f}`;
}
const app = {
  name: 'rrm-consumer', private: true, type: 'module',
  dependencies: { ...deps, '@tensorflow/tfjs-core': '4.22.0' },
  devDependencies: { typescript: '5.9.3', esbuild: '0.25.12', '@types/node': '20.19.43' },
  overrides: deps,
};
writeFileSync(`${tmp}/app/package.json`, JSON.stringify(app, null, 2));
for (const f of readdirSync(src)) copyFileSync(`${src}/${f}`, `${tmp}/app/${f}`);
JS
cd "$tmp/app"

step "npm install ($(ls "$tmp/packs" | wc -l) tarballs)"
npm install --no-audit --no-fund --loglevel=error >"$tmp/install.log" 2>&1 || {
  cat "$tmp/install.log"
  exit 1
}
# Opt-in only: nothing may fetch libtensorflow at install.
if [ -e node_modules/@tensorflow/tfjs-node ] || [ -e node_modules/@tensorflow/tfjs-node-gpu ]; then
  echo "consumer-test: @tensorflow/tfjs-node(-gpu) was installed, it must be opt-in" >&2
  exit 1
fi

step "npx rrm-train (a few steps of a tiny TRM on generated 4x4 Sudoku)"
npx rrm-train --preset sudoku-small --out run data_paths=[data/sudoku-4x4] \
  build_data.box_rows=2 build_data.box_cols=2 build_data.train_puzzles=64 \
  build_data.test_puzzles=8 build_data.num_aug=0 global_batch_size=8 max_steps=6 \
  checkpoint_every=0 arch.hidden_size=16 arch.H_cycles=1 arch.L_cycles=1 \
  arch.halt_max_steps=2 </dev/null
test -f run/summary.json

step "npx rrm-eval on the run"
npx rrm-eval run --json --out eval.json </dev/null >/dev/null
node -e 'const r = require("./eval.json"); if (typeof r !== "object") process.exit(1)'

step "tsc (node16 resolution) and node on a TypeScript consumer"
npx tsc --noEmit
npx tsc --outDir out
node out/consumer.js

step "es2020 IIFE browser bundle"
npx esbuild consumer.ts --bundle --format=iife --target=es2020 --platform=browser \
  --outfile=bundle.js --log-level=warning
test -s bundle.js

step "passed"
