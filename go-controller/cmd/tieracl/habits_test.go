package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestKubectlHabits covers what kubectl users try first: -f - reads standard input, an export with
// other kinds in it loads with one warning, --fail-on makes problems fail a CI job, and selects.
func TestKubectlHabits(t *testing.T) {
	cluster, err := os.ReadFile("testdata/cluster.yaml")
	if err != nil {
		t.Fatal(err)
	}
	export := string(cluster) + "\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\n" +
		"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: shop}\n" +
		"---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: shop}\n"
	warned := "skipped objects of kinds tieracl does not read: 1 ConfigMap, 1 Deployment, 1 Service"
	tie := "../../../examples/15-blog-subject-selectors"
	tests := []struct {
		name   string
		args   []string
		stdin  string
		code   int
		stdout []string
		stderr []string
	}{
		{name: "render reads standard input", args: []string{"render", "-f", "-"}, stdin: string(cluster),
			stdout: []string{"AdminNetworkPolicy/pass-monitoring"}},
		{name: "an export with other kinds warns once", args: []string{"render", "-f", "-"}, stdin: export,
			stdout: []string{"NetworkPolicy/shop/deny-all"}, stderr: []string{warned}},
		{name: "stdin mixed with files",
			args:  []string{"explain", "-f", "-", "--from", "monitoring/prometheus", "--to", "shop/web", "--port", "http"},
			stdin: export, stdout: []string{"verdict: model Deny, acl Deny"}, stderr: []string{warned}},
		{name: "a typo in a policy kind still fails", args: []string{"render", "-f", "-"}, code: 2,
			stdin:  "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicies\nmetadata: {name: a}\n",
			stderr: []string{`<stdin>: document 1 (line 1): kind: unsupported kind "AdminNetworkPolicies"`}},
		{name: "no problems pass --fail-on warning",
			args: []string{"render", "-f", "testdata/cluster.yaml", "--fail-on", "warning"}},
		{name: "warnings fail --fail-on warning", args: []string{"render", "-f", tie, "--fail-on", "warning"}, code: 1,
			stdout: []string{"PriorityConflict"}, stderr: []string{"--fail-on warning: "}},
		{name: "a rejected policy fails --fail-on error", args: []string{"render", "-f", tie, "--fail-on", "error"}, code: 1,
			stderr: []string{"--fail-on error: 1 policy problems"}},
		{name: "explain names the problems it fails on", code: 1,
			args: []string{"explain", "-f", tie, "--from", "scanner/scanner-0", "--to", "team-x/web-0", "--port", "80",
				"--fail-on", "warning"},
			stderr: []string{"AdminNetworkPolicy/sample-anp-rule-1b: Warning PriorityConflict"}},
		{name: "a bad --fail-on fails first", args: []string{"render", "--fail-on", "sometimes"}, code: 2,
			stderr: []string{`invalid argument "sometimes" for "--fail-on" flag: want warning or error`}},
		{name: "selects a pod", args: []string{"selects", "-f", "testdata/cluster.yaml", "--pod", "shop/web"},
			stdout: []string{"shop/web  1     AdminNetworkPolicy/pass-monitoring", "subject", "NetworkPolicy/shop/deny-all"}},
		{name: "selects by policy",
			args:   []string{"selects", "-f", "testdata/cluster.yaml", "--policy", "AdminNetworkPolicy/pass-monitoring"},
			stdout: []string{"monitoring/prometheus", "peer", "shop/web"}},
		{name: "selects an unknown pod", args: []string{"selects", "-f", "testdata/cluster.yaml", "--pod", "shop/nope"},
			code:   2,
			stderr: []string{"pod shop/nope not found"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runIO(tc.args, strings.NewReader(tc.stdin), &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout.String(), stderr.String())
			}
			for _, want := range tc.stdout {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
				}
			}
			for _, want := range tc.stderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
				}
			}
			if len(tc.stderr) == 0 && stderr.Len() > 0 {
				t.Errorf("unexpected stderr:\n%s", stderr.String())
			}
		})
	}
}
