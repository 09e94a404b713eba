#!/usr/bin/env bash
# `make conformance-upstream`: each upstream suite on a cluster of its own, with its own CRDs (v0.3.0's
# suite refuses a cluster that also has v0.1.7's): make cluster-up, run.sh, make cluster-down. Every
# suite runs even when an earlier one failed; exits non-zero when any failed (a non-SCTP test failed, or
# the cluster or the harness did not work).
#
#   test/upstream/conformance.sh [report-dir]      # default docs/conformance
#
# UPSTREAM_SUITES picks the suites (default "v0.1.7 v0.3.0"); UPSTREAM_FLAGS_<suite with _ for .>
# adds harness flags for one suite, e.g. UPSTREAM_FLAGS_v0_3_0="-poke-timeout=20s". UPSTREAM_RERUN=0 turns
# off v0.1.7's one rerun after a failed run (below).
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

# run_suite SUITE: one run on a fresh cluster; 0 when the verdict passed, 1 when the suite failed, 2 when
# the cluster did not work (its reason appended to failed).
run_suite() {
  local s=$1 extra=UPSTREAM_FLAGS_${1//./_} rc=0 kubeconfig
  echo "== upstream $s: cluster up with the $s CRDs"
  $make -C "$repo" --no-print-directory cluster-down >/dev/null 2>&1 || true
  CLUSTER_CRDS=$s $make -C "$repo" --no-print-directory cluster-up | tee "$uplog"
  if ((PIPESTATUS[0] != 0)); then
    failed+=("$s: cluster-up")
    $make -C "$repo" --no-print-directory cluster-down || true
    return 2
  fi
  kubeconfig=$(tail -1 "$uplog" | sed -n 's/^export KUBECONFIG=//p')
  if [[ -z $kubeconfig ]]; then
    failed+=("$s: cluster-up did not end with an export KUBECONFIG= line")
    rc=2
  else
    KUBECONFIG=$kubeconfig UPSTREAM_FLAGS="${!extra:-}" "$here/run.sh" "$s" "$reports" || rc=1
  fi
  $make -C "$repo" --no-print-directory cluster-down || { failed+=("$s: cluster-down"); rc=2; }
  return $rc
}

for s in ${UPSTREAM_SUITES:-v0.1.7 v0.3.0}; do
  run_suite "$s"
  rc=$?
  # v0.1.7 probes once, within about 10 ms of each policy write, with no retry: on a loaded machine a
  # probe can leave before the change is in the datapath. Such a run is reported as failed, its verdict
  # kept beside the reports, and the suite runs once more on a fresh cluster; a second failure fails.
  if ((rc == 1)) && [[ $s == v0.1.7 ]] && [[ ${UPSTREAM_RERUN:-1} == 1 ]]; then
    mv -f "$reports/upstream-$s-verdict.yaml" "$reports/upstream-$s-verdict-first-run.yaml"
    echo "upstream $s: FAILED on the first run (verdict kept in upstream-$s-verdict-first-run.yaml);" \
      "running it once more on a fresh cluster" >&2
    run_suite "$s"
    rc=$?
    ((rc == 0)) && echo "upstream $s: passed on the second run; the first run's failures are a probe" \
      "racing the datapath (see upstream-$s-verdict-first-run.yaml)" >&2
  fi
  ((rc == 1)) && failed+=("$s: suite")
done

if ((${#failed[@]})); then
  printf 'conformance-upstream failed: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "conformance-upstream: every non-SCTP test passed; reports in $reports"
