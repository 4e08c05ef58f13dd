#!/usr/bin/env bash
# Builds the client-go peer of the real-apiserver benchmark (main.go here, client-go pinned in
# go.mod and go.sum) into a per-user cache folder keyed by the Go version and a hash of those
# three files, outside the clone. Prints the binary's path on its last line. Needs only `go`.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v go >/dev/null 2>&1; then
  echo "error: building the client-go benchmark needs Go on the PATH (go.dev/dl); none was found" >&2
  exit 2
fi
export GOTOOLCHAIN=local CGO_ENABLED=0

cache_root="${KUBESNAP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kubesnap}"
client_go="$(sed -nE 's#^[[:space:]]*k8s\.io/client-go[[:space:]]+(v[^[:space:]]+).*#\1#p' "$here/go.mod" | head -1)"
source_hash="$(cat "$here/go.mod" "$here/go.sum" "$here/main.go" | sha256sum | cut -c1-12)"
bin_dir="$cache_root/clientgo-bench/client-go-${client_go}_$(go env GOVERSION)_${source_hash}"
bin="$bin_dir/clientgo-bench"

if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

mkdir -p "$cache_root"
exec 9>"$cache_root/clientgo-bench.lock"
flock 9
if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

work="$(mktemp -d "$cache_root/clientgo-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cp "$here/go.mod" "$here/go.sum" "$here/main.go" "$work/"
echo "[clientgo-bench build] client-go ${client_go}, $(go env GOVERSION)" >&2
# -mod=readonly: go.sum pins every module; a missing or changed one fails the build.
(cd "$work" && go build -mod=readonly -trimpath -ldflags="-s -w" -o "$work/out/clientgo-bench" .)
mkdir -p "$(dirname "$bin_dir")"
rm -rf "$bin_dir"
mv "$work/out" "$bin_dir"
echo "$bin"
