#!/usr/bin/env bash
# Builds the test cluster's binaries from the Go modules in test/kube/tools (versions pinned there) into a
# cache folder outside the repo, for test/kube: kube-apiserver, kube-controller-manager, kube-scheduler,
# kubectl, agnhost and etcd. A no-op when all are cached.
#
#   test/kube/build.sh           # prints the bin folder on its last line
#   TIERACL_CACHE=/some/dir test/kube/build.sh
set -euo pipefail

tools=$(cd "$(dirname "$0")/tools" && pwd)
modversion() { awk -v m="$1" '$1 == m { print $2 }' "$2"; }
kube=$(modversion k8s.io/kubernetes "$tools/go.mod")
etcd=$(modversion go.etcd.io/etcd/server/v3 "$tools/etcd/go.mod")
[[ -n $kube && -n $etcd ]] || { echo "build.sh: no version in $tools/go.mod or $tools/etcd/go.mod" >&2; exit 1; }

# The folder names the recipe too (-v2: version stamped), so a change to how they are built rebuilds them.
bin=${TIERACL_CACHE:-$HOME/.cache/tieracl}/kube/$kube-etcd-$etcd-v2/bin
kubecmds=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
missing() { local n; for n in "$@"; do [[ -x $bin/$n ]] || echo "$n"; done; }
if [[ -z $(missing "${kubecmds[@]}" agnhost etcd) ]]; then echo "$bin"; exit 0; fi
mkdir -p "$bin"
# One build at a time: a second caller waits for the first and then finds the binaries.
exec 9>"$bin/.lock"
flock 9
if [[ -z $(missing "${kubecmds[@]}" agnhost etcd) ]]; then echo "$bin"; exit 0; fi
# Left by builds that were killed (their go build may still have finished writing): the pid is dead.
for f in "$bin"/.*.tmp.*; do
  [[ -e $f ]] && ! kill -0 "${f##*.}" 2>/dev/null && rm -rf "$f"
done

tmp=$bin/.build.tmp.$$
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"
# build DIR PACKAGE...: one go build for all the packages (they share most of their compile), written into
# a temporary folder and renamed, so an interrupted build is never taken for a finished one. The only flags
# stamp the version (what `kubectl version` and /version report), as Kubernetes' own build does.
build() {
  local dir=$1; shift
  (($#)) || return 0
  echo "build.sh: building $* (cold on 2 cores: about 15 min for the kube binaries, 1+ min for etcd)" >&2
  (cd "$dir" && GOWORK=off go build -ldflags "$(versionflags)" -o "$tmp/" "$@")
  local p
  for p in "$@"; do mv -f "$tmp/${p##*/}" "$bin/${p##*/}"; done
}
versionflags() {
  local major=${kube#v}; major=${major%%.*}
  local minor=${kube#v*.}; minor=${minor%%.*}
  local p
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    printf -- '-X %s.gitVersion=%s -X %s.gitMajor=%s -X %s.gitMinor=%s -X %s.gitTreeState=clean ' \
      "$p" "$kube" "$p" "$major" "$p" "$minor" "$p"
  done
}
pkgs=()
for n in $(missing "${kubecmds[@]}"); do pkgs+=("k8s.io/kubernetes/cmd/$n"); done
[[ -n $(missing agnhost) ]] && pkgs+=(k8s.io/kubernetes/test/images/agnhost)
build "$tools" "${pkgs[@]}"
if [[ -n $(missing etcd) ]]; then
  echo "build.sh: building etcd" >&2
  (cd "$tools/etcd" && GOWORK=off go build -o "$tmp/etcd" go.etcd.io/etcd/server/v3)
  mv -f "$tmp/etcd" "$bin/etcd"
fi
echo "$bin"
