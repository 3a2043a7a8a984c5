#!/usr/bin/env bash
# Measures `streamsec plan` (offline, Pulumi mocks in process) against
# `streamsec preview` (the real Pulumi engine through the Automation API,
# the stand-in azure-native provider, both policy packs) on the prod stack,
# N times each, and prints the medians and their ratio. Then it puts
# `streamsec preview` and a no-change `streamsec up` beside the bare
# `pulumi preview` and `pulumi up` of the same program, packs and stack
# (the CLI run directly, the program served by test/programhost), with the
# ratios: what streamsec adds around the engine. A measurement, not a test:
# nothing fails on a number.
#
#   scripts/bench-plan-preview.sh [N]     (default N=7)
#
# Builds the CLI, the stand-in provider (a test double, test/standin-provider),
# the program host and the pack binaries into a temp folder; gets the pulumi CLI through
# scripts/get-pulumi.sh (or $STREAMSEC_PULUMI); works on a temp copy of the
# project layout with its own file backend and PULUMI_HOME.
set -euo pipefail

n="${1:-7}"
[[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [N>0]" >&2; exit 2; }
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
host_pid=""
# Stop only what this script started.
trap 'if [[ -n $host_pid ]]; then kill "$host_pid" 2>/dev/null || true; fi; rm -rf "$work"' EXIT

echo "building streamsec, the stand-in provider and the policy packs..." >&2
(cd "$repo" && go build -o "$work/bin/streamsec" ./cmd/streamsec \
  && go build -o "$work/bin/pulumi-resource-azure-native" ./test/standin-provider \
  && go build -o "$work/programhost" ./test/programhost)
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

# --- streamsec preview / up beside the bare pulumi commands -------------
# The prod stack exists (the warm-up above created it and its secret); one
# up deploys it, so every up below is a no-change up.
time_ms streamsec up --stack prod --color never "${policy_args[@]}" >/dev/null
mkfifo "$work/host.in"
"$work/programhost" <"$work/host.in" >"$work/host.addr" 2>"$work/host.err" &
host_pid=$!
exec 8>"$work/host.in" # holds the host's stdin open; closing it ends the host
for _ in $(seq 100); do [[ -s "$work/host.addr" ]] && break; sleep 0.1; done
addr="$(head -n 1 "$work/host.addr")"
[[ -n "$addr" ]] || { echo "programhost did not start:" >&2; cat "$work/host.err" >&2; exit 1; }
bare_args=(--client="$addr" --exec-kind=auto.inline --stack prod --non-interactive --color never)
for pk in "${packs[@]}"; do bare_args+=(--policy-pack="$pk"); done
export PULUMI_BACKEND_URL="file://$proj/.streamsec/state"
time_ms "$pulumi_bin" preview "${bare_args[@]}" >/dev/null
time_ms "$pulumi_bin" up --yes --skip-preview "${bare_args[@]}" >/dev/null

bp=() sp=() bu=() su=()
for ((i = 1; i <= n; i++)); do
  bp+=("$(time_ms "$pulumi_bin" preview "${bare_args[@]}")") || exit 1
  sp+=("$(time_ms streamsec preview --stack prod --color never "${policy_args[@]}")") || exit 1
  bu+=("$(time_ms "$pulumi_bin" up --yes --skip-preview "${bare_args[@]}")") || exit 1
  su+=("$(time_ms streamsec up --stack prod --color never "${policy_args[@]}")") || exit 1
done
exec 8>&-
bp_med=$(printf '%s\n' "${bp[@]}" | median)
sp_med=$(printf '%s\n' "${sp[@]}" | median)
bu_med=$(printf '%s\n' "${bu[@]}" | median)
su_med=$(printf '%s\n' "${su[@]}" | median)
echo
echo "same stack (prod, deployed), same program and ${#packs[@]} pack(s), $n runs each:"
echo "pulumi preview runs ms:    ${bp[*]}"
echo "streamsec preview runs ms: ${sp[*]}"
echo "pulumi up runs ms:         ${bu[*]}"
echo "streamsec up runs ms:      ${su[*]}   (no changes)"
awk -v b="$bp_med" -v s="$sp_med" 'BEGIN { printf "preview median: pulumi %d ms, streamsec %d ms, ratio streamsec/pulumi: %.2fx\n", b, s, (b > 0 ? s / b : 0) }'
awk -v b="$bu_med" -v s="$su_med" 'BEGIN { printf "up median:      pulumi %d ms, streamsec %d ms, ratio streamsec/pulumi: %.2fx\n", b, s, (b > 0 ? s / b : 0) }'
