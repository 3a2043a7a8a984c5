#!/usr/bin/env bash
# Builds the pinned Pulumi CLI from the Go module proxy into a cache folder
# outside the repo and prints its path. Used where the official installer
# cannot run (CI here); users with internet access should use the official
# installer instead (see README). Reused when already built.
set -euo pipefail

version="${PULUMI_VERSION:-v3.274.1}"
cache="${STREAMSEC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/streamsec}"
dir="$cache/pulumi/$version"
bin="$dir/pulumi"

if [[ -x "$bin" ]] && "$bin" version 2>/dev/null | grep -qx "$version"; then
  echo "$bin"
  exit 0
fi

command -v go >/dev/null 2>&1 || { echo "get-pulumi.sh: Go is needed to build the Pulumi CLI from source (or install it: https://www.pulumi.com/docs/install/)" >&2; exit 2; }
mkdir -p "$dir"
# Two jobs building at once would race on the same output; one waits.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$dir/.build.lock"
  flock 9
  if [[ -x "$bin" ]] && "$bin" version 2>/dev/null | grep -qx "$version"; then
    echo "$bin"
    exit 0
  fi
fi
start=$SECONDS
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
cat > go.mod <<MOD
module streamsec.local/pulumi-cli

go 1.26
MOD
cat > tools.go <<'SRC'
//go:build tools

package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
SRC
echo "building pulumi $version from the Go module proxy into $dir (about 10 minutes cold on 2 cores)" >&2
GOFLAGS=-mod=mod go get "github.com/pulumi/pulumi/pkg/v3@$version" "github.com/pulumi/pulumi/sdk/v3@$version" >&2
GOFLAGS=-mod=mod go build -trimpath \
  -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
  -o "$bin.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2
mv "$bin.tmp" "$bin"
echo "built pulumi $version in $((SECONDS - start))s" >&2
echo "$bin"
