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

mkdir -p "$dir"
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
echo "$bin"
