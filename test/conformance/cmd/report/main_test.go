package main

import (
	"bytes"
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

func init() {
	policytest.RegisterBackend("deny-all-for-test", func(*cluster.Snapshot) (eval.Evaluator, error) { return denyAll{}, nil })
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name   string
		args   []string
		status int
		stdout string
		stderr string
	}{
		{"writes one report per backend", []string{"-out", dir, "-backends", "model,acl", "-date", "2025-01-02T03:04:05Z", "-version", "v9"}, 0,
			"model: 24 of 24 tests passed, 0 skipped (289 of 289 probes passed, 0 not judged); wrote " + filepath.Join(dir, "model.yaml") + "\n" +
				"acl: 24 of 24 tests passed, 0 skipped (289 of 289 probes passed, 0 not judged); wrote " + filepath.Join(dir, "acl.yaml") + "\n", ""},
		{"failures are printed and exit 1", []string{"-out", dir, "-backends", "deny-all-for-test"}, 1,
			"FAIL test/conformance/AdminNetworkPolicyEgressInlineCIDRPeers/01-support-a-deny-egress-rule-policy-for-egress-cidr-peer.yaml: probes[6] " +
				"network-policy-conformance-gryffindor/harry-potter-1 -> network-policy-conformance-slytherin/draco-malfoy-0 TCP/80 IPv4: expected Allow, got Deny (", ""},
		{"unknown backend", []string{"-out", dir, "-backends", "nope"}, 2, "", `unknown backend "nope"`},
		{"bad flag", []string{"-outdir", dir}, 2, "", "flag provided but not defined: -outdir"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			status := run(tc.args, &stdout, &stderr)
			if status != tc.status || !strings.Contains(stdout.String(), tc.stdout) || !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("status %d, stdout:\n%s\nstderr:\n%s\nwant status %d, stdout containing:\n%s\nstderr containing %q",
					status, stdout.String(), stderr.String(), tc.status, tc.stdout, tc.stderr)
			}
		})
	}
	data, err := os.ReadFile(filepath.Join(dir, "acl.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var report conformance.ConformanceReport
	if err := yaml.UnmarshalStrict(data, &report); err != nil {
		t.Fatal(err)
	}
	if report.Kind != "ConformanceReport" || report.Date != "2025-01-02T03:04:05Z" || report.Version != "v9" ||
		!strings.HasPrefix(report.AdditionalInformation, "backend acl: ") || len(report.ProfileReports) != 2 {
		t.Errorf("report: %+v", report)
	}
	for _, p := range report.ProfileReports {
		if p.Standard.Result != conformance.Success || p.Standard.Passed != 8 || p.Experimental == nil || p.Experimental.Passed != 3 {
			t.Errorf("profile %s: %+v %+v", p.Name, p.Standard, p.Experimental)
		}
	}
}
