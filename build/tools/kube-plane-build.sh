#!/usr/bin/env bash
# Builds the real Kubernetes control plane the conformance suite runs on (npm run test:conformance),
# from the Go module proxy with the go command:
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl  k8s.io/kubernetes at KUBE_VERSION
#                                          (build/tools/kube-plane/go.mod replaces each k8s.io staging
#                                          module with its published v0.N.M)
#   etcd                                   go.etcd.io/etcd/server/v3, the version that Kubernetes requires
#   kwok                                   sigs.k8s.io/kwok at KWOK_VERSION (fake nodes; pods become Ready)
# into <tools>/kube-v<KUBE_VERSION>/bin (tools: $CONDUCTOR_TOOLS_DIR or ~/.cache/conductor-tools), with
# kwok's stages beside it. Idempotent: a complete folder is kept, so a second run takes a second.
# The Go caches stay where go keeps them (GOMODCACHE, GOCACHE), never in the repository.
# A cold build takes long on 2 cores (see CONTRIBUTING.md); prints the folder on its last line.
set -euo pipefail
KUBE_VERSION=1.37.2
KWOK_VERSION=0.8.0

here="$(cd "$(dirname "$0")" && pwd)"
tools="${CONDUCTOR_TOOLS_DIR:-$HOME/.cache/conductor-tools}"
out="$tools/kube-v$KUBE_VERSION"
stamp="$out/.complete-kwok-$KWOK_VERSION"
bins=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok)

complete() {
  [ -f "$stamp" ] || return 1
  for b in "${bins[@]}"; do [ -x "$out/bin/$b" ] || return 1; done
  [ -s "$out/kwok-stages.yaml" ]
}
if complete; then
  echo "$out"
  exit 0
fi

command -v go >/dev/null 2>&1 || PATH="/usr/local/go/bin:$PATH" # where the Go image installs it
if ! command -v go >/dev/null 2>&1; then
  echo "kube-plane-build: the go command is missing (Go 1.26 or newer is needed: https://go.dev/doc/install)" >&2
  exit 1
fi
export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=readonly
mkdir -p "$out/bin"
log() { echo "kube-plane-build: $* ($(date +%H:%M:%S))" >&2; }

minor="${KUBE_VERSION#*.}"
minor="${minor%%.*}"
pkg=k8s.io/component-base/version
cpkg=k8s.io/client-go/pkg/version
ver="-X $pkg.gitVersion=v$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
ver="$ver -X $cpkg.gitVersion=v$KUBE_VERSION -X $cpkg.gitMajor=1 -X $cpkg.gitMinor=$minor -X $cpkg.gitTreeState=clean"

cd "$here/kube-plane"
grep -q "k8s.io/kubernetes v$KUBE_VERSION\$" go.mod || {
  echo "kube-plane-build: build/tools/kube-plane/go.mod does not require k8s.io/kubernetes v$KUBE_VERSION" >&2
  exit 1
}
log "downloading modules"
go mod download
log "building kube-apiserver, kube-controller-manager, kube-scheduler, kubectl (Kubernetes $KUBE_VERSION)"
go build -trimpath -ldflags "-s -w $ver" -o "$out/bin/" \
  k8s.io/kubernetes/cmd/kube-apiserver \
  k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler \
  k8s.io/kubernetes/cmd/kubectl
log "building etcd"
go build -trimpath -ldflags "-s -w" -o "$out/bin/etcd" go.etcd.io/etcd/server/v3

log "building kwok $KWOK_VERSION"
GOFLAGS= GOBIN="$out/bin" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@v$KWOK_VERSION"
stages="$(go env GOMODCACHE)/sigs.k8s.io/kwok@v$KWOK_VERSION/kustomize/stage"
{
  for f in node/fast/node-initialize pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete; do
    echo "---"
    cat "$stages/$f.yaml"
  done
} >"$out/kwok-stages.yaml.tmp"
mv "$out/kwok-stages.yaml.tmp" "$out/kwok-stages.yaml"

for b in "${bins[@]}"; do
  "$out/bin/$b" --help >/dev/null 2>&1 || { echo "kube-plane-build: $out/bin/$b was built but does not run" >&2; exit 1; }
done
touch "$stamp"
log "done"
echo "$out"
