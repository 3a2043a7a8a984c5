#!/usr/bin/env bash
# Installs Azurite (the Azure Storage emulator, npm package azurite) into a
# cache folder outside the repository and prints the path of its
# azurite-blob executable on the last line. Idempotent: a cached install is
# reused. The tests start it on a free 127.0.0.1 port and stop it.
set -euo pipefail
version="${AZURITE_VERSION:-3.37.0}"
cache="${STREAMSEC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/streamsec}"
dir="$cache/azurite/$version"
bin="$dir/node_modules/.bin/azurite-blob"
if [[ ! -x "$bin" ]]; then
  command -v npm >/dev/null || { echo "get-azurite: npm is needed (Debian: apt-get install npm)" >&2; exit 2; }
  tmp="$(mktemp -d "$cache/azurite-install.XXXXXX" 2>/dev/null || { mkdir -p "$cache"; mktemp -d "$cache/azurite-install.XXXXXX"; })"
  trap 'rm -rf "$tmp"' EXIT
  npm install --prefix "$tmp" --no-audit --no-fund --loglevel=error "azurite@$version" >&2
  mkdir -p "$(dirname "$dir")"
  rm -rf "$dir"
  mv "$tmp" "$dir"
  trap - EXIT
fi
echo "$bin"
