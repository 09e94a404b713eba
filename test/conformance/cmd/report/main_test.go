package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
	"github.com/tieracl/tieracl/test/conformance"
)

// denyAll judges every flow denied, so every probe expecting Allow fails.
type denyAll struct{}

func (denyAll) Evaluate(eval.Flow) (eval.Verdict, error) { return eval.Verdict{}, nil }

// testBackends are the built-in backends and deny-all-for-test.
func testBackends() policytest.Backends {
	b := policytest.Builtin()
	b["deny-all-for-test"] = func(*cluster.Snapshot) (eval.Evaluator, error) { return denyAll{}, nil }
	return b
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	// allPassed is the line run prints for a suite whose every test and probe passed.
	allPassed := func(suite, backend string, tests, probes int) string {
		return fmt.Sprintf("%s %s: %d of %d tests passed, 0 skipped (%d of %d probes passed, 0 not judged); wrote %s\n",
			suite, backend, tests, tests, probes, probes, filepath.Join(dir, backend+"-"+suite+".yaml"))
	}
	tests := []struct {
		name   string
		args   []string
		status int
		stdout string
		stderr string
	}{
		{"writes one report per suite and backend",
			[]string{"-out", dir, "-backends", "model,acl", "-date", "2025-01-02T03:04:05Z", "-version", "v9"}, 0,
			allPassed("v0.1.7", "model", 24, 289) + allPassed("v0.1.7", "acl", 24, 289) +
				allPassed("v0.3.0", "model", 30, 397) + allPassed("v0.3.0", "acl", 30, 397), ""},
		{"failures are printed and exit 1", []string{"-out", dir, "-suites", "v0.1.7", "-backends", "deny-all-for-test"}, 1,
			"FAIL test/conformance/v0.1.7/AdminNetworkPolicyEgressInlineCIDRPeers/" +
				"01-support-a-deny-egress-rule-policy-for-egress-cidr-peer.yaml: probes[6] " +
				"network-policy-conformance-gryffindor/harry-potter-1 -> network-policy-conformance-slytherin/draco-malfoy-0 " +
				"TCP/80 IPv4: expected Allow, got Deny (", ""},
		{"unknown backend", []string{"-out", dir, "-backends", "nope"}, 2, "", `unknown backend "nope"`},
		{"unknown suite", []string{"-out", dir, "-suites", "v0.2.0"}, 2, "", `unknown suite "v0.2.0"`},
		{"bad flag", []string{"-outdir", dir}, 2, "", "flag provided but not defined: -outdir"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			status := run(tc.args, &stdout, &stderr, testBackends())
			if status != tc.status || !strings.Contains(stdout.String(), tc.stdout) ||
				!strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("status %d, stdout:\n%s\nstderr:\n%s\nwant status %d, stdout containing:\n%s\nstderr containing %q",
					status, stdout.String(), stderr.String(), tc.status, tc.stdout, tc.stderr)
			}
		})
	}
	reports := []struct {
		file, version        string
		profiles             int
		standard, experiment uint32
	}{
		{"acl-v0.1.7.yaml", "v0.1.7", 2, 8, 3},
		{"acl-v0.3.0.yaml", "v0.3.0", 1, 24, 6},
	}
	for _, r := range reports {
		data, err := os.ReadFile(filepath.Join(dir, r.file))
		if err != nil {
			t.Fatal(err)
		}
		var report conformance.Report
		if err := yaml.UnmarshalStrict(data, &report); err != nil {
			t.Fatal(err)
		}
		if report.Kind != "ConformanceReport" || report.Date != "2025-01-02T03:04:05Z" || report.Version != "v9" ||
			report.NetworkPolicyV2APIVersion+report.NetworkPolicyBundleVersion != r.version ||
			!strings.HasPrefix(report.AdditionalInformation, "backend acl: ") || len(report.ProfileReports) != r.profiles {
			t.Errorf("%s: %+v", r.file, report)
		}
		for _, p := range report.ProfileReports {
			if p.Standard.Result != conformance.Success || p.Standard.Passed != r.standard || p.Experimental == nil ||
				p.Experimental.Passed != r.experiment {
				t.Errorf("%s: profile %s: %+v %+v", r.file, p.Name, p.Standard, p.Experimental)
			}
		}
	}
}

// closedPipe fails every write, as standard output does once its reader has gone.
type closedPipe struct{}

func (closedPipe) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestRunStdoutFails(t *testing.T) {
	var stderr bytes.Buffer
	status := run([]string{"-out", t.TempDir(), "-suites", "v0.1.7", "-backends", "model"}, closedPipe{}, &stderr,
		testBackends())
	if want := "standard output: " + io.ErrClosedPipe.Error(); status != 2 || !strings.Contains(stderr.String(), want) {
		t.Errorf("status %d, stderr %q; want status 2 and %q", status, stderr.String(), want)
	}
}
