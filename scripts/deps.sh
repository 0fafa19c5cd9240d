#!/bin/sh
# Installs the Debian 12 packages chophien needs to build, test and benchmark, if any are missing.
# Runs apt-get directly as root, through sudo otherwise.
set -eu
PACKAGES="build-essential cmake pkg-config clang clang-format libclang-rt-14-dev lld
libcpp-httplib-dev libkainjow-mustache-dev libqrencode-dev libpng-dev nlohmann-json3-dev libutf8proc-dev libsqlite3-dev sqlite3 libssl-dev
libgtest-dev libgmock-dev libbenchmark-dev zbar-tools libxml2-utils python3
libxlsxwriter-dev libzip-dev zlib1g-dev libexpat1-dev libreoffice-calc-nogui libvips-dev
chromium nginx wrk curl"
# The browser test drives Debian's chromium with playwright-core from npm (tests/browser). Node and
# npm come from Debian unless a node with its own npm is already installed (a nodejs package from
# elsewhere bundles npm and conflicts with Debian's npm package).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  PACKAGES="$PACKAGES nodejs npm"
fi
missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0
echo "Installing:$missing"
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
