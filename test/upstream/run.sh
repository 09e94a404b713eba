#!/usr/bin/env bash
# Runs one upstream network-policy-api conformance suite, unchanged, against the cluster in $KUBECONFIG,
# then judges the run. Used by `make conformance-upstream` and test/kind/run.sh.
#
#   test/upstream/run.sh v0.1.7|v0.3.0 [report-dir]
#
# Writes <report-dir>/upstream-<suite>.yaml (the suite's own report) and upstream-<suite>-verdict.yaml
# (per test: passed, skipped, sctp-not-judged, failed, not-run; wall time; latencies). The go test log
# (test2json) and the run file stay in $UPSTREAM_WORK (default $TIERACL_CACHE/upstream/<suite>).
# Exits non-zero unless every test passed, was skipped by name (SCTP), or failed only on SCTP probes.
# UPSTREAM_FLAGS adds harness flags after the defaults below, e.g. "-ready-timeout=20m".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
suite=${1:?usage: run.sh v0.1.7|v0.3.0 [report-dir]}
[[ -f $here/$suite/go.mod ]] || { echo "run.sh: no harness for suite $suite in $here" >&2; exit 2; }
out=$(mkdir -p "${2:-$repo/docs/conformance}" && cd "${2:-$repo/docs/conformance}" && pwd)
work=${UPSTREAM_WORK:-${TIERACL_CACHE:-$HOME/.cache/tieracl}/upstream/$suite}
mkdir -p "$work"
[[ -n ${KUBECONFIG:-} ]] || { echo "run.sh: KUBECONFIG is not set (make cluster-up prints it)" >&2; exit 2; }
report=$out/upstream-$suite.yaml
verdict=$out/upstream-$suite-verdict.yaml
version=$(git -C "$repo" describe --tags --always --dirty 2>/dev/null || echo dev)
rm -f "$work/test.json" "$work/run.json"

# Settings per suite, through the suite's options. v0.1.7 probes once without retry: a denied probe
# waits the whole request timeout, an allowed one returns at once. v0.3.0 retries every probe until it
# holds (poke timeout), then probes once more.
case $suite in
v0.1.7) flags="-request-timeout=2s -ready-timeout=10m" ;;
v0.3.0) flags="-request-timeout=1s -poke-timeout=5s -ready-timeout=10m" ;;
esac

echo "upstream $suite: running the suite against $KUBECONFIG (log: $work/test.json)"
# go test's own status is not the verdict: SCTP probes fail on this kernel by design. The verdict
# command reads the log and decides; a build failure or a killed run leaves no verdict but a failure.
(cd "$here/$suite" && go test -json -count=1 -timeout "${UPSTREAM_TIMEOUT:-60m}" -run '^TestConformance$' . \
  -args -report="$report" -run-file="$work/run.json" -implementation-version="$version" \
  $flags ${UPSTREAM_FLAGS:-}) | tee "$work/test.json" |
  sed -un 's/.*"Action":"\(pass\|fail\|skip\)".*"Test":"TestConformance\/\([^/"]*\)".*/  \1 \2/p' || true
(cd "$here/harness" && go run ./cmd/verdict -suite "network-policy-api $suite" -log "$work/test.json" -run "$work/run.json" -report "$report" \
  -out "$verdict")
