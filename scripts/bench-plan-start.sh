#!/usr/bin/env bash
# Measures the whole `streamsec plan --stack prod` process against the same
# binary's bare start (`streamsec --version`: the Go runtime and every
# package's init, the azure-native SDK's type registrations among them),
# N pairs of runs, alternating, and prints medians, 20th percentiles and
# their ratios (issue 16: plan within 1.3x of the bare start), for wall and
# CPU time. A measurement, not a test: nothing fails on a number. On a
# loaded or shared machine the wall figures spread; compare the p20 and
# CPU figures, and run it twice.
#
#   scripts/bench-plan-start.sh [N]     (default N=101)
set -euo pipefail

n="${1:-101}"
[[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [N>0]" >&2; exit 2; }
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "building streamsec and test/startbench..." >&2
(cd "$repo" && go build -o "$work/streamsec" ./cmd/streamsec && go build -o "$work/startbench" ./test/startbench)
# The runs start in $work: no stacks/ folder there, so plan reads the
# embedded stack files, as a fresh install does.
"$work/startbench" -bin "$work/streamsec" -n "$n" -dir "$work" -- plan --stack prod
