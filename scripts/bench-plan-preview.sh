#!/usr/bin/env bash
# Measures `streamsec plan` (offline, Pulumi mocks in process) against
# `streamsec preview` (the real Pulumi engine through the Automation API,
# the stand-in azure-native provider, both policy packs) on the prod stack,
# N times each, and prints the medians and their ratio. A measurement, not a
# test: nothing fails on a number.
#
#   scripts/bench-plan-preview.sh [N]     (default N=7)
#
# Builds the CLI, the stand-in provider (a test double, test/standin-provider)
# and the pack binaries into a temp folder; gets the pulumi CLI through
# scripts/get-pulumi.sh (or $STREAMSEC_PULUMI); works on a temp copy of the
# project layout with its own file backend and PULUMI_HOME.
set -euo pipefail

n="${1:-7}"
[[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [N>0]" >&2; exit 2; }
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "building streamsec, the stand-in provider and the policy packs..." >&2
(cd "$repo" && go build -o "$work/bin/streamsec" ./cmd/streamsec \
  && go build -o "$work/bin/pulumi-resource-azure-native" ./test/standin-provider)
packs=()
for p in websocket-hardening azure-baseline; do
  if [[ -f "$repo/policy-packs/$p/PulumiPolicy.yaml" ]]; then
    (cd "$repo" && go build -o "$work/packs/$p/$p" "./policy-packs/$p")
    packs+=("$work/packs/$p/$p")
  fi
done
pulumi_bin="${STREAMSEC_PULUMI:-$(bash "$repo/scripts/get-pulumi.sh")}"

proj="$work/project"
mkdir -p "$proj/stacks"
cp "$repo/Pulumi.yaml" "$proj/"
# Without values encrypted for someone else's passphrase.
grep -v -e '^encryptionsalt:' "$repo/stacks/Pulumi.prod.yaml" \
  | awk '/^  streamsec:cookieSecret:/{skip=1; next} skip && /^    secure:/{skip=0; next} {skip=0; print}' \
  > "$proj/stacks/Pulumi.prod.yaml"

export PATH="$work/bin:$PATH"
export PULUMI_HOME="$work/pulumi-home"
export PULUMI_CONFIG_PASSPHRASE="bench-only-passphrase"
export PULUMI_SKIP_UPDATE_CHECK=true
export STREAMSEC_PULUMI="$pulumi_bin"
export STREAMSEC_POLICY_PACKS="$(IFS=:; echo "${packs[*]}")"
policy_args=()
[[ ${#packs[@]} -gt 0 ]] || policy_args=(--no-policy)

cd "$proj"

# time_ms CMD...: prints the wall time in ms; a run that did not complete
# (exit 2 or worse: usage, setup, crash) stops the script, since its time
# would mean nothing. plan exits 1 on a mandatory violation, which still ran.
time_ms() {
  local start end rc=0
  start=$(date +%s%N)
  "$@" >"$work/last.out" 2>&1 || rc=$?
  end=$(date +%s%N)
  if ((rc > 1)); then
    echo "'$*' exited $rc:" >&2
    tail -20 "$work/last.out" >&2
    exit 1
  fi
  echo $(((end - start) / 1000000))
}
# One warm-up each: creates the stack and its cookie secret, fills caches.
time_ms streamsec plan --stack prod --format json >/dev/null
time_ms streamsec preview --stack prod --color never "${policy_args[@]}" >/dev/null
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

plan_times=() preview_times=()
for ((i = 1; i <= n; i++)); do
  t=$(time_ms streamsec plan --stack prod --format json) || exit 1
  plan_times+=("$t")
  t=$(time_ms streamsec preview --stack prod --color never "${policy_args[@]}") || exit 1
  preview_times+=("$t")
done
plan_med=$(printf '%s\n' "${plan_times[@]}" | median)
preview_med=$(printf '%s\n' "${preview_times[@]}" | median)

echo "runs:           $n each (prod stack, $(nproc) cores)"
echo "plan runs ms:    ${plan_times[*]}"
echo "preview runs ms: ${preview_times[*]}"
echo "plan median:     ${plan_med} ms   (offline, Pulumi mocks, every rule in process)"
echo "preview median:  ${preview_med} ms   (real engine, stand-in provider, ${#packs[@]} pack(s))"
awk -v p="$plan_med" -v q="$preview_med" 'BEGIN { if (p > 0) printf "ratio preview/plan: %.1fx\n", q / p }'
