#!/usr/bin/env bash
# Lists the configuration options each Streamlit release declares, read from
# that release's own wheel (streamlit/config.py, every _create_option call),
# and prints where an option appears, disappears or changes type/default.
# It is how internal/streamlitopts' table is re-checked against PyPI:
#
#   scripts/streamlit-options.sh 1.39.0 1.56.0 1.57.0 1.67.0       # changes
#   SHOW=all scripts/streamlit-options.sh 1.67.0                   # one release
#   GREP=allowedHosts scripts/streamlit-options.sh 1.60.0 1.61.0   # one option
#
# Wheels are kept outside the repo ($STREAMSEC_CACHE/wheels, default
# ~/.cache/streamsec/wheels) and downloaded with `pip download --no-deps`
# when missing. Never commit them.
set -euo pipefail

[[ $# -ge 1 ]] || { echo "usage: $0 VERSION [VERSION...]  (env SHOW=all, GREP=substring)" >&2; exit 2; }
cache="${STREAMSEC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/streamsec}/wheels"
mkdir -p "$cache"
command -v python3 >/dev/null || { echo "$0: python3 is needed" >&2; exit 2; }

files=()
for v in "$@"; do
  [[ "$v" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "$0: $v is not a release number such as 1.67.0" >&2; exit 2; }
  whl=$(ls "$cache"/streamlit-"$v"-*.whl 2>/dev/null | head -1 || true)
  if [[ -z "$whl" ]]; then
    python3 -m pip download -q --no-deps "streamlit==$v" -d "$cache" >&2
    whl=$(ls "$cache"/streamlit-"$v"-*.whl | head -1)
  fi
  files+=("$v=$whl")
done

python3 - "${files[@]}" <<'PY'
import ast, os, sys, zipfile

def options(whl):
    src = zipfile.ZipFile(whl).read("streamlit/config.py").decode()
    out = {}
    for node in ast.walk(ast.parse(src)):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "_create_option"):
            continue
        if not node.args or not isinstance(node.args[0], ast.Constant):
            continue
        kw = {k.arg: k.value for k in node.keywords}
        def lit(name, default):
            n = kw.get(name)
            if n is None:
                return default
            try:
                return repr(ast.literal_eval(n))
            except Exception:
                return ast.unparse(n)
        default = lit("default_val", "(computed)" if "default_val" not in kw else "None")
        out[node.args[0].value] = {
            "type": lit("type_", "str").strip("'"),
            "default": default,
            "visibility": lit("visibility", "'visible'").strip("'"),
            "deprecated": lit("deprecated", "False"),
            "line": node.lineno,
        }
    return out

grep = os.environ.get("GREP", "")
show_all = os.environ.get("SHOW") == "all"
prev, prev_v = None, None
for arg in sys.argv[1:]:
    v, whl = arg.split("=", 1)
    cur = {k: o for k, o in options(whl).items() if grep.lower() in k.lower()}
    print(f"== {v}: {len(cur)} options (streamlit/config.py in {os.path.basename(whl)})")
    fmt = lambda k, o: f"{k} type={o['type']} default={o['default']} visibility={o['visibility']} deprecated={o['deprecated']} (config.py:{o['line']})"
    if prev is None or show_all:
        if show_all or len(sys.argv) == 2:
            for k in sorted(cur):
                print("  " + fmt(k, cur[k]))
    else:
        for k in sorted(set(cur) - set(prev)):
            print(f"  + {fmt(k, cur[k])}")
        for k in sorted(set(prev) - set(cur)):
            print(f"  - {k} (gone since {v}; was in {prev_v})")
        for k in sorted(set(cur) & set(prev)):
            a, b = prev[k], cur[k]
            changed = [f for f in ("type", "default", "visibility", "deprecated") if a[f] != b[f]]
            if changed:
                print(f"  ~ {k}: " + ", ".join(f"{f} {a[f]} -> {b[f]}" for f in changed))
    prev, prev_v = cur, v
PY
