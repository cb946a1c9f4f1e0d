#!/usr/bin/env bash
# Fresh-machine set-up, used by the README's first command and by CI (.ci/run): the system
# packages (Debian/Ubuntu: a C++ toolchain, OpenBLAS and pkg-config for the native backend,
# Python for node-gyp, Chromium for the browser tests; macOS: the Xcode command line tools,
# whose Accelerate framework is the BLAS), pnpm, then the workspace. Needs Node 20.19+ or 22.3+
# (`process.getBuiltinModule`, which @rrm/backend uses, is in 20.16+ and 22.3+).
# Idempotent: whatever is already there is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=10.34.8

node -e 'const [a, b] = process.versions.node.split(".").map(Number);
  if (a < 20 || (a === 20 && b < 19) || a === 21 || (a === 22 && b < 3)) {
    console.error(`setup: Node ${process.version} found; 20.19+ or 22.3+ needed`); process.exit(1); }'

case "$(uname -s)" in
  Linux)
    if command -v dpkg >/dev/null 2>&1; then
      need=()
      for p in g++ make libopenblas-dev pkg-config python3 chromium; do
        dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
      done
      if [ ${#need[@]} -gt 0 ]; then
        sudo=()
        [ "$(id -u)" -eq 0 ] || sudo=(sudo)
        export DEBIAN_FRONTEND=noninteractive
        "${sudo[@]}" apt-get update -qq
        "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}"
      fi
    else
      echo "setup: not Debian/Ubuntu; install a C++ toolchain, OpenBLAS, pkg-config and Python yourself" >&2
    fi
    ;;
  Darwin)
    xcode-select -p >/dev/null 2>&1 || {
      echo "setup: run \`xcode-select --install\` (the C++ toolchain) and then this script again" >&2
      exit 1
    }
    ;;
esac

# Not `corepack enable`: its signature check fails with some npm registry metadata.
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  npm install -g "pnpm@$PNPM_VERSION"
fi

pnpm install --frozen-lockfile
