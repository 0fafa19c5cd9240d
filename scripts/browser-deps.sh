#!/bin/sh
# Installs the browser test's npm packages (tests/browser: playwright-core, pinned by its
# package-lock.json) when node_modules is missing. Never downloads a browser: the test drives
# Debian's chromium (/usr/bin/chromium, from scripts/deps.sh).
#
# usage: scripts/browser-deps.sh
set -eu
dir=$(cd "$(dirname "$0")/../tests/browser" && pwd)
if [ -f "$dir/node_modules/playwright-core/package.json" ]; then
  exit 0
fi
for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "$0: $tool not found (run scripts/deps.sh)" >&2
    exit 1
  fi
done
cd "$dir"
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --ignore-scripts
