#!/usr/bin/env bash
# `make conformance-upstream`: each upstream suite on a cluster of its own, with its own CRDs (v0.3.0's
# suite refuses a cluster that also has v0.1.7's): make cluster-up, run.sh, make cluster-down. Every
# suite runs even when an earlier one failed; exits non-zero when any failed (a non-SCTP test failed, or
# the cluster or the harness did not work).
#
#   test/upstream/conformance.sh [report-dir]      # default docs/conformance
#
# UPSTREAM_SUITES picks the suites (default "v0.1.7 v0.3.0"); UPSTREAM_FLAGS_<suite with _ for .>
# adds harness flags for one suite, e.g. UPSTREAM_FLAGS_v0_3_0="-poke-timeout=20s".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
reports=${1:-$repo/docs/conformance}
make=${MAKE:-make}
failed=()
uplog=$(mktemp)
trap 'rm -f "$uplog"' EXIT

# The first checks need no cluster: the verdict logic and each harness's choice of tests.
(cd "$here/harness" && go test -count=1 ./...) || failed+=("harness unit tests")
for s in ${UPSTREAM_SUITES:-v0.1.7 v0.3.0}; do
  (cd "$here/$s" && go test -count=1 -run '^Test(Selection|TwoBundles)$' .) || failed+=("$s selection tests")
done

for s in ${UPSTREAM_SUITES:-v0.1.7 v0.3.0}; do
  extra=UPSTREAM_FLAGS_${s//./_}
  echo "== upstream $s: cluster up with the $s CRDs"
  $make -C "$repo" --no-print-directory cluster-down >/dev/null 2>&1 || true
  CLUSTER_CRDS=$s $make -C "$repo" --no-print-directory cluster-up | tee "$uplog"
  if ((PIPESTATUS[0] != 0)); then
    failed+=("$s: cluster-up")
    $make -C "$repo" --no-print-directory cluster-down || true
    continue
  fi
  kubeconfig=$(tail -1 "$uplog" | sed -n 's/^export KUBECONFIG=//p')
  if [[ -z $kubeconfig ]]; then
    failed+=("$s: cluster-up did not end with an export KUBECONFIG= line")
  else
    KUBECONFIG=$kubeconfig UPSTREAM_FLAGS="${!extra:-}" "$here/run.sh" "$s" "$reports" ||
      failed+=("$s: suite")
  fi
  $make -C "$repo" --no-print-directory cluster-down || failed+=("$s: cluster-down")
done

if ((${#failed[@]})); then
  printf 'conformance-upstream failed: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "conformance-upstream: every non-SCTP test passed; reports in $reports"
