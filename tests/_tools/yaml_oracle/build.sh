#!/usr/bin/env bash
# Builds the YAML oracle (sigs.k8s.io/yaml, as kubectl reads kubeconfigs) from
# the Go module proxy into a per-user cache folder keyed by the hash of its
# sources, outside the clone. Prints the binary's path on its last line.
# Needs only `go` and network access to the Go module proxy.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
cache_root="${KUBESNAP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kubesnap}"
key="$(cat "$here/main.go" "$here/go.mod" "$here/go.sum" | sha256sum | cut -c1-16)"
bin_dir="$cache_root/yaml-oracle/$key"
bin="$bin_dir/yaml_oracle"

if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "error: building the YAML oracle needs Go on the PATH (go.dev/dl); none was found" >&2
  exit 2
fi

mkdir -p "$cache_root/yaml-oracle"
exec 9>"$cache_root/yaml-oracle.lock"
flock 9
if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0
work="$(mktemp -d "$cache_root/yaml-oracle/build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# Built in a copy: `-mod=mod` may rewrite go.sum, and the clone stays untouched.
cp "$here/main.go" "$here/go.mod" "$here/go.sum" "$work/"
(cd "$work" && go build -trimpath -ldflags="-s -w" -o "$work/out/yaml_oracle" . >&2)
echo '["a: 1"]' | "$work/out/yaml_oracle" | grep -q '"a":1' || {
  echo "error: the freshly built YAML oracle does not convert a: 1" >&2
  exit 1
}
rm -rf "$bin_dir"
mv "$work/out" "$bin_dir"
echo "$bin"
