#!/usr/bin/env bash
# Measures the whole `streamsec plan --stack prod` process against the same
# binary's bare start (`streamsec --version`: the Go runtime and every
# package's init, the azure-native SDK's type registrations among them),
# N runs each, and prints medians and their ratio (issue 16: plan within
# 1.3x of the bare start). Wall time and, where perf exists, CPU time. A
# measurement, not a test: nothing fails on a number. On a loaded machine
# the wall figures spread; compare the CPU figures, or run it idle.
#
#   scripts/bench-plan-start.sh [N]     (default N=31)
set -euo pipefail

n="${1:-31}"
[[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [N>0]" >&2; exit 2; }
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "building streamsec..." >&2
(cd "$repo" && go build -o "$work/streamsec" ./cmd/streamsec)
cd "$work" # the embedded stack files: no stacks/ folder here

# median_ms CMD...: runs CMD n times, prints the median wall time in ms.
median_ms() {
  local i t0 t1
  for ((i = 0; i < n; i++)); do
    t0=$(date +%s%N)
    "$@" >/dev/null
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000))
  done | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}
"$work/streamsec" plan --stack prod >/dev/null # warm the page cache
bare=$(median_ms "$work/streamsec" --version)
plan=$(median_ms "$work/streamsec" plan --stack prod)
printf 'wall (median of %d): bare start %s ms, plan --stack prod %s ms, ratio %s\n' \
  "$n" "$bare" "$plan" "$(awk -v a="$plan" -v b="$bare" 'BEGIN{printf "%.2f", a/b}')"

if command -v perf >/dev/null 2>&1 && perf stat -e task-clock true >/dev/null 2>&1; then
  cpu_ms() { perf stat -x, -e task-clock -r "$n" "$@" 2>&1 >/dev/null | awk -F, '/task-clock/{printf "%.1f", $1}'; }
  cbare=$(cpu_ms "$work/streamsec" --version)
  cplan=$(cpu_ms "$work/streamsec" plan --stack prod)
  printf 'cpu  (mean of %d):   bare start %s ms, plan --stack prod %s ms, ratio %s\n' \
    "$n" "$cbare" "$cplan" "$(awk -v a="$cplan" -v b="$cbare" 'BEGIN{printf "%.2f", a/b}')"
fi
