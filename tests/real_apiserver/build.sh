#!/usr/bin/env bash
# Builds etcd and kube-apiserver from the Go module proxy into a per-user cache
# folder keyed by their versions, outside the clone, so every clone reuses them.
# Prints the folder holding the binaries on its last line. Needs only `go`.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"

cache_root="${KUBESNAP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kubesnap}"
bin_dir="$cache_root/control-plane/kubernetes-${KUBERNETES_VERSION}_etcd-${ETCD_VERSION}"

if [ -x "$bin_dir/kube-apiserver" ] && [ -x "$bin_dir/etcd" ] && [ -x "$bin_dir/etcdctl" ]; then
  echo "$bin_dir"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "error: building the real kube-apiserver needs Go on the PATH (go.dev/dl); none was found" >&2
  exit 2
fi

mkdir -p "$cache_root"
exec 9>"$cache_root/control-plane.lock"
flock 9
if [ -x "$bin_dir/kube-apiserver" ] && [ -x "$bin_dir/etcd" ] && [ -x "$bin_dir/etcdctl" ]; then
  echo "$bin_dir"
  exit 0
fi

export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0
work="$(mktemp -d "$cache_root/build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
started=$SECONDS
log() { echo "[control-plane build +$((SECONDS - started))s] $*" >&2; }

# kube-apiserver: k8s.io/kubernetes replaces its staging modules with local paths, so it
# cannot be `go install`ed. A scratch module requires it and points each staging module
# at the published release of the same minor.
staging_version="v0.${KUBERNETES_VERSION#v1.}"
log "downloading k8s.io/kubernetes@${KUBERNETES_VERSION}"
k8s_dir="$(go mod download -json "k8s.io/kubernetes@${KUBERNETES_VERSION}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
if [ -z "$k8s_dir" ] || [ ! -f "$k8s_dir/go.mod" ]; then
  echo "error: could not download k8s.io/kubernetes@${KUBERNETES_VERSION} from the Go module proxy" >&2
  exit 1
fi
mkdir -p "$work/apiserver"
{
  echo "module kubesnap.test/control-plane"
  echo
  echo "go $(go env GOVERSION | sed -E 's/^go([0-9]+\.[0-9]+).*/\1/')"
  echo
  echo "require k8s.io/kubernetes ${KUBERNETES_VERSION}"
  echo
  sed -nE 's#^[[:space:]]*(replace[[:space:]]+)?(k8s\.io/[A-Za-z0-9._/-]+)[[:space:]]+=>[[:space:]]+\./staging/src/k8s\.io/.*#replace \2 => \2 '"$staging_version"'#p' "$k8s_dir/go.mod"
} >"$work/apiserver/go.mod"
replaces="$(grep -c '^replace' "$work/apiserver/go.mod" || true)"
log "scratch module with ${replaces} staging replacements"
if [ "$replaces" -lt 20 ]; then
  echo "error: found only ${replaces} staging replace lines in k8s.io/kubernetes's go.mod" >&2
  exit 1
fi
cat >"$work/apiserver/tools.go" <<'GO'
//go:build tools

package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
GO
version_flags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  minor="${KUBERNETES_VERSION#v1.}"
  minor="${minor%%.*}"
  version_flags+=" -X ${pkg}.gitVersion=${KUBERNETES_VERSION} -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=${minor} -X ${pkg}.gitTreeState=clean"
done
(cd "$work/apiserver" && go mod tidy >&2)
log "building kube-apiserver (about 10 minutes on 2 cores the first time)"
(cd "$work/apiserver" && go build -p "$(nproc)" -trimpath -ldflags="-s -w${version_flags}" \
  -o "$work/out/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver)

# etcd and etcdctl: their modules replace sibling modules with local paths too.
mkdir -p "$work/etcd"
cat >"$work/etcd/go.mod" <<GOMOD
module kubesnap.test/etcd

go $(go env GOVERSION | sed -E 's/^go([0-9]+\.[0-9]+).*/\1/')

require (
	go.etcd.io/etcd/server/v3 ${ETCD_VERSION}
	go.etcd.io/etcd/etcdctl/v3 ${ETCD_VERSION}
)
GOMOD
cat >"$work/etcd/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "go.etcd.io/etcd/etcdctl/v3"
	_ "go.etcd.io/etcd/server/v3"
)
GO
(cd "$work/etcd" && go mod tidy >&2)
log "building etcd and etcdctl"
(cd "$work/etcd" && go build -trimpath -ldflags="-s -w" -o "$work/out/etcd" go.etcd.io/etcd/server/v3 \
  && go build -trimpath -ldflags="-s -w" -o "$work/out/etcdctl" go.etcd.io/etcd/etcdctl/v3)

"$work/out/kube-apiserver" --version >&2
mkdir -p "$(dirname "$bin_dir")"
rm -rf "$bin_dir"
mv "$work/out" "$bin_dir"
log "done"
echo "$bin_dir"
