#!/usr/bin/env bash
# Builds kube-apiserver and etcd from the Go modules in test/kube/tools (versions pinned there) into a
# cache folder outside the repo, for test/kube. A no-op when both are cached.
#
#   test/kube/build.sh           # prints the bin folder on its last line
#   TIERACL_CACHE=/some/dir test/kube/build.sh
set -euo pipefail

tools=$(cd "$(dirname "$0")/tools" && pwd)
modversion() { awk -v m="$1" '$1 == m { print $2 }' "$2"; }
kube=$(modversion k8s.io/kubernetes "$tools/go.mod")
etcd=$(modversion go.etcd.io/etcd/server/v3 "$tools/etcd/go.mod")
[[ -n $kube && -n $etcd ]] || { echo "build.sh: no version in $tools/go.mod or $tools/etcd/go.mod" >&2; exit 1; }

bin=${TIERACL_CACHE:-$HOME/.cache/tieracl}/kube/$kube-etcd-$etcd/bin
if [[ -x $bin/kube-apiserver && -x $bin/etcd ]]; then echo "$bin"; exit 0; fi
mkdir -p "$bin"
# Left by builds that were killed (their go build may still have finished writing): the pid is dead.
for f in "$bin"/.*.tmp.*; do
  [[ -e $f ]] && ! kill -0 "${f##*.}" 2>/dev/null && rm -f "$f"
done

tmp=()
trap 'rm -f "${tmp[@]}"' EXIT
# build DIR PACKAGE NAME: writes under a temporary name and renames it, so an interrupted build is never
# taken for a finished one. Default flags on purpose: the binaries are the ones `go build` makes.
build() {
  [[ -x $bin/$3 ]] && return
  local out=$bin/.$3.tmp.$$
  tmp+=("$out")
  echo "build.sh: building $3 from $2 (cold on 2 cores: kube-apiserver 10+ min, etcd 1+ min)" >&2
  (cd "$1" && GOWORK=off go build -o "$out" "$2")
  mv -f "$out" "$bin/$3"
}
build "$tools" k8s.io/kubernetes/cmd/kube-apiserver kube-apiserver
build "$tools/etcd" go.etcd.io/etcd/server/v3 etcd
echo "$bin"
