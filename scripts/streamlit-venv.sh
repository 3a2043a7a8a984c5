#!/usr/bin/env bash
# Installs one real Streamlit release from PyPI into a virtual environment
# cached outside the repo, keyed by version, and prints the venv's path.
# The verify tests run these releases as their targets. Reused when the
# release is already installed; two jobs installing the same release at
# once take turns (flock), as scripts/get-pulumi.sh does. Extra pins
# (NAME==X.Y.Z) install the release with an older dependency, as a lock file
# from the release's time would; they name the cache folder too.
#   scripts/streamlit-venv.sh 1.67.0                 ->  ~/.cache/streamsec/streamlit/1.67.0/venv
#   scripts/streamlit-venv.sh 1.39.0 tornado==6.4.2  ->  ~/.cache/streamsec/streamlit/1.39.0+tornado-6.4.2/venv
#   scripts/streamlit-venv.sh --check 1.67.0         ->  the path if installed, else exit 1 (no install)
set -euo pipefail

check=0
if [[ "${1:-}" == "--check" ]]; then check=1; shift; fi
version="${1:?usage: streamlit-venv.sh VERSION [NAME==X.Y.Z ...] (e.g. 1.67.0); --check first: only print the path of an installed one}"
shift
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "streamlit-venv.sh: version $version: want X.Y.Z" >&2; exit 2; }
key="$version"
for pin in "$@"; do
  [[ "$pin" =~ ^[a-z0-9_-]+==[0-9]+(\.[0-9]+)*$ ]] || { echo "streamlit-venv.sh: pin $pin: want NAME==X.Y.Z" >&2; exit 2; }
  key="$key+${pin/==/-}"
done
cache="${STREAMSEC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/streamsec}"
dir="$cache/streamlit/$key"
venv="$dir/venv"
# Python 3.11 is the interpreter every release from 1.39 on supports.
python="${STREAMSEC_PYTHON:-$(command -v python3.11 || command -v python3)}"

# .installed is written last and names what was installed; importing
# streamlit to ask would cost seconds per release on every CI run.
ready() { [[ -x "$venv/bin/python" && "$(cat "$venv/.installed" 2>/dev/null)" == "$key" ]]; }

if ready; then echo "$venv"; exit 0; fi
((check == 0)) || exit 1
mkdir -p "$dir"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$dir/.install.lock"
  flock 9
  if ready; then echo "$venv"; exit 0; fi
fi
start=$SECONDS
rm -rf "$venv"
"$python" -m venv "$venv" >&2
"$venv/bin/python" -m pip install -q --disable-pip-version-check --no-input "streamlit==$version" "$@" >&2
"$venv/bin/python" -c "import streamlit, sys; sys.exit(streamlit.__version__ != '$version')" || { echo "streamlit-venv.sh: the venv does not import streamlit $version" >&2; exit 1; }
echo "$key" >"$venv/.installed"
echo "installed streamlit $version $* with $("$venv/bin/python" --version) in $((SECONDS - start))s" >&2
echo "$venv"
