#!/usr/bin/env bash
# Builds golangci-lint at the version pinned in test/lint/tools/go.mod into a cache folder outside the repo,
# for `make lint`. A no-op when it is cached. Prints the binary's path on its last line.
#
#   test/lint/build.sh
#   TIERACL_CACHE=/some/dir test/lint/build.sh
set -euo pipefail

tools=$(cd "$(dirname "$0")/tools" && pwd)
mod=github.com/golangci/golangci-lint/v2
version=$(awk -v m="$mod" '$1 == m { print $2 }' "$tools/go.mod")
[[ -n $version ]] || { echo "build.sh: no version of $mod in $tools/go.mod" >&2; exit 1; }

# The folder names the recipe too (-v1), so a change to how it is built rebuilds it.
bin=${TIERACL_CACHE:-$HOME/.cache/tieracl}/lint/golangci-lint-$version-v1/bin
exe=$bin/golangci-lint
if [[ -x $exe ]]; then echo "$exe"; exit 0; fi
mkdir -p "$bin"
# One build at a time: a second caller waits for the first and then finds the binary.
exec 9>"$bin/.lock"
flock 9
if [[ -x $exe ]]; then echo "$exe"; exit 0; fi

# Written under a temporary name and renamed, so an interrupted build is never taken for a finished one.
tmp=$bin/.golangci-lint.tmp.$$
trap 'rm -f "$tmp"' EXIT
echo "build.sh: building golangci-lint $version (cold: 3 min of CPU on 2 cores, longer when busy)" >&2
# A set date makes `golangci-lint version` report the pinned version instead of reading build settings.
(cd "$tools" && GOWORK=off go build -ldflags "-X main.version=${version#v} -X main.date=pinned" \
  -o "$tmp" "$mod/cmd/golangci-lint")
mv -f "$tmp" "$exe"
echo "$exe"
