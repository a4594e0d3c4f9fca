#!/usr/bin/env bash
# Installs the JavaScript reference stack (Digital Bazaar's Data Integrity libraries) that the
# interop tests cross-check microcred against. Exactly the versions in package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/js"
if ! command -v npm >/dev/null 2>&1; then
  echo "tests/interop/install.sh: npm is missing; install Node.js 20+ and npm" >&2
  exit 1
fi
npm ci --no-audit --no-fund --loglevel=error
