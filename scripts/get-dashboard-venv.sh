#!/usr/bin/env bash
# Builds a virtualenv with the sample dashboard's pinned requirements
# (examples/dashboard/requirements.txt, from PyPI) in a cache folder outside
# the repository, keyed by the file's hash, and prints its python on the last
# line. Idempotent: an existing complete venv is reused.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
req="$repo/examples/dashboard/requirements.txt"
cache="${STREAMSEC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/streamsec}"
key="$(sha256sum "$req" | cut -c1-16)"
dir="$cache/dashboard/$key"
py="$dir/venv/bin/python"
if [[ ! -f "$dir/complete" ]]; then
  python="${PYTHON:-python3}"
  command -v "$python" >/dev/null || { echo "get-dashboard-venv: python3 is needed" >&2; exit 2; }
  rm -rf "$dir"
  mkdir -p "$dir"
  "$python" -m venv "$dir/venv" >&2
  "$py" -m pip install --quiet --disable-pip-version-check -r "$req" >&2
  touch "$dir/complete"
fi
echo "$py"
