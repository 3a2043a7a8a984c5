#!/usr/bin/env bash
# Installs one real Streamlit release from PyPI into a virtual environment
# cached outside the repo, keyed by version, and prints the venv's path.
# The verify tests run these releases as their targets. Reused when the
# release is already installed; two jobs installing the same release at
# once take turns (flock), as scripts/get-pulumi.sh does.
#   scripts/streamlit-venv.sh 1.67.0   ->   ~/.cache/streamsec/streamlit/1.67.0/venv
set -euo pipefail

version="${1:?usage: streamlit-venv.sh VERSION (e.g. 1.67.0)}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "streamlit-venv.sh: version $version: want X.Y.Z" >&2; exit 2; }
cache="${STREAMSEC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/streamsec}"
dir="$cache/streamlit/$version"
venv="$dir/venv"
# Python 3.11 is the interpreter every release from 1.39 on supports.
python="${STREAMSEC_PYTHON:-$(command -v python3.11 || command -v python3)}"

ready() { [[ -f "$venv/.installed" ]] && "$venv/bin/python" -c "import streamlit, sys; sys.exit(streamlit.__version__ != '$version')" 2>/dev/null; }

if ready; then echo "$venv"; exit 0; fi
mkdir -p "$dir"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$dir/.install.lock"
  flock 9
  if ready; then echo "$venv"; exit 0; fi
fi
start=$SECONDS
rm -rf "$venv"
"$python" -m venv "$venv" >&2
"$venv/bin/python" -m pip install -q --disable-pip-version-check --no-input "streamlit==$version" >&2
touch "$venv/.installed"
echo "installed streamlit $version with $("$venv/bin/python" --version) in $((SECONDS - start))s" >&2
echo "$venv"
