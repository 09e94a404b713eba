package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/test/testbed"
)

// useTestOVN points the real-OVN backends at the OVN of test/ovn/fetch.sh through $TIERACL_OVN_BIN, as a
// user would, and puts a tieracl-probe built from source on PATH.
func useTestOVN(t *testing.T) {
	t.Helper()
	parts, err := testbed.Get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(ovnsandbox.BinEnv, parts.OVN)
	t.Setenv("PATH", filepath.Dir(parts.ProbeBinary)+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// runCLI runs the command line in-process and returns the exit code, stdout and stderr.
func runCLI(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestCLI(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		code      int
		stdout    []string // substrings of stdout
		lastLine  string   // stdout's last line, when set
		stderr    string   // substring of stderr; empty means stderr must be empty
		validJSON bool
	}{
		{name: "version", args: []string{"version"}, code: 0, stdout: []string{"tieracl "}},
		{name: "render the embedded example", args: []string{"render"}, code: 0,
			stdout: []string{"ACLS (", "AdminNetworkPolicy/block-monitoring", "PORT GROUPS (", "ADDRESS SETS ("}},
		{name: "render files as a table", args: []string{"render", "-f", "testdata/cluster.yaml"}, code: 0,
			stdout: []string{"TIER  DIRECTION  PRIORITY", "AdminNetworkPolicy/pass-monitoring  #0 pass-from-monitoring",
				"NetworkPolicy/shop/deny-all", "(isolation)"}},
		{name: "render JSON", args: []string{"render", "-f", "testdata/cluster.yaml", "-o", "json"}, code: 0,
			stdout: []string{`"acls": [`, `"problems": []`}, validJSON: true},
		{name: "render YAML", args: []string{"render", "-f", "testdata/cluster.yaml", "-o", "yaml"}, code: 0,
			stdout: []string{"acls:\n", "portGroups:\n", "addressSets:\n", "problems: []\n"}},
		{name: "render a logged policy: its meter, at the default rate",
			args: []string{"render", "-f", "testdata/logged.yaml"}, code: 0,
			stdout: []string{"drop,log=alert", "METERS (1)", "tieracl_acl_logging  20 pktps  20     true"}},
		{name: "render with a log rate",
			args: []string{"render", "-f", "testdata/logged.yaml", "-o", "json", "--acl-log-rate", "3"}, code: 0,
			stdout: []string{`"meter": "tieracl_acl_logging"`, `"rate": 3,`, `"burst": 3,`}, validJSON: true},
		{name: "render: log rate 0", args: []string{"render", "--acl-log-rate", "0"}, code: 2,
			stderr: "--acl-log-rate must be at least 1"},
		{name: "render: unknown format", args: []string{"render", "-o", "wide"}, code: 2,
			stderr: `unknown output format "wide"`},
		{name: "render: missing file", args: []string{"render", "-f", "testdata/nope.yaml"}, code: 2,
			stderr: "testdata/nope.yaml: no such file or directory"},
		{name: "render: malformed manifest names file and field", args: []string{"render", "-f", "testdata/malformed"},
			code: 2,
			stderr: "tieracl: testdata/malformed/pod.yaml: document 1 (line 1): " +
				"spec.containers[0].imagePullPolicyy: unknown field"},
		{name: "test the embedded example", args: []string{"test"}, code: 0, lastLine: "19 passed, 0 failed"},
		{name: "test passing probes with the ACLs", args: []string{"test", "-f", "testdata/pass.yaml"}, code: 0,
			stdout: []string{"PASS  monitoring/prometheus  ->  shop/web", "TCP/http(8080)", "IPv6",
				"192.0.2.1"}, lastLine: "4 passed, 0 failed"},
		{name: "test passing probes with the model", args: []string{"test", "-f", "testdata/pass.yaml", "--backend", "model"},
			code:     0,
			lastLine: "4 passed, 0 failed"},
		{name: "test failing probes", args: []string{"test", "-f", "testdata/fail.yaml"}, code: 1,
			stdout: []string{"FAIL  monitoring/prometheus  ->  shop/web", "expected Allow  got Deny",
				"ingress: Deny in tier 2"}, lastLine: "1 passed, 1 failed"},
		{name: "test two files", args: []string{"test", "-f", "testdata/pass.yaml", "-f", "testdata/fail.yaml"}, code: 1,
			stdout: []string{"# testdata/pass.yaml\n", "# testdata/fail.yaml\n"}, lastLine: "5 passed, 1 failed"},
		{name: "test two files after one -f, as a shell glob gives them",
			args: []string{"test", "-f", "testdata/pass.yaml", "testdata/fail.yaml"}, code: 1,
			stdout: []string{"# testdata/pass.yaml\n", "# testdata/fail.yaml\n"}, lastLine: "5 passed, 1 failed"},
		{name: "test a probe to an unknown pod",
			args: []string{"test", "-f", "testdata/badprobe.yaml", "-f", "testdata/pass.yaml"}, code: 2,
			stderr: "tieracl: testdata/badprobe.yaml: probes[0].to: pod shop/nope not found", lastLine: "4 passed, 0 failed"},
		{name: "test with an OVN that is not there", args: []string{"test", "-f", "testdata/pass.yaml", "--backend",
			"ovn", "--ovn-bin", "/nonexistent/ovn"}, code: 2, lastLine: "0 passed, 0 failed",
			stderr: "OVN installation (--ovn-bin /nonexistent/ovn)"},
		{name: "test with ovn-trace", args: []string{"test", "-f", "testdata/pass.yaml", "--backend", "ovn"}, code: 0,
			lastLine: "4 passed, 0 failed"},
		{name: "test failing probes with ovn-trace", args: []string{"test", "-f", "testdata/fail.yaml", "--backend", "ovn"},
			code:   1,
			stdout: []string{"expected Allow  got Deny", "ingress: Deny in tier 2"}, lastLine: "1 passed, 1 failed"},
		{name: "test with real connections",
			args: []string{"test", "-f", "testdata/pass.yaml", "-f", "testdata/fail.yaml", "--backend", "datapath"}, code: 1,
			stdout: []string{"FAIL  monitoring/prometheus  ->  shop/web", "datapath: tcp:"}, lastLine: "5 passed, 1 failed"},
		{name: "test: unknown backend", args: []string{"test", "--backend", "nope"}, code: 2,
			stderr: `unknown backend "nope"`},
		{name: "explain",
			args: []string{"explain", "-f", "testdata/cluster.yaml", "--from", "monitoring/prometheus", "--to", "shop/web",
				"--port", "http"},
			code: 0,
			stdout: []string{"flow: monitoring/prometheus(10.0.1.10) -> shop/web(10.0.2.20) TCP/8080",
				"anp:pass-monitoring:in:0", "in set"},
			lastLine: "verdict: model Deny, acl Deny"},
		{name: "explain IPv6 as JSON",
			args: []string{"explain", "-f", "testdata/cluster.yaml", "--from", "monitoring/prometheus", "--to", "shop/web",
				"--port", "8080", "--family", "IPv6", "-o", "json"},
			code: 0, stdout: []string{`"ip": "fd00::2:20"`, `"agree": true`}, validJSON: true},
		{name: "explain: unknown pod",
			args: []string{"explain", "-f", "testdata/cluster.yaml", "--from", "monitoring/x", "--to", "shop/web", "--port",
				"80"},
			code:   2,
			stderr: "tieracl: --from: pod monitoring/x not found"},
		{name: "explain: bad protocol",
			args: []string{"explain", "--from", "a/b", "--to", "c/d", "--port", "80", "--protocol", "ICMP"}, code: 2,
			stderr: `tieracl: --protocol: must be TCP, UDP or SCTP, not "ICMP"`},
		{name: "explain: missing flag", args: []string{"explain", "--from", "a/b", "--to", "c/d"}, code: 2,
			stderr: `required flag(s) "port" not set`},
		{name: "unknown flag", args: []string{"render", "--nope"}, code: 2, stderr: "unknown flag: --nope"},
		{name: "unknown command", args: []string{"deploy"}, code: 2, stderr: `unknown command "deploy"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if slices.Contains(tc.args, "ovn") || slices.Contains(tc.args, "datapath") {
				if testing.Short() {
					t.Skip("needs OVN 25.03 (test/ovn/fetch.sh) and root for its backend; skipped under -short")
				}
				useTestOVN(t)
			}
			code, stdout, stderr := runCLI(tc.args...)
			if code != tc.code {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}
			for _, want := range tc.stdout {
				if !strings.Contains(stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout)
				}
			}
			if tc.lastLine != "" && lastLine(stdout) != tc.lastLine {
				t.Errorf("last line %q, want %q", lastLine(stdout), tc.lastLine)
			}
			if tc.stderr == "" && stderr != "" {
				t.Errorf("unexpected stderr:\n%s", stderr)
			}
			if !strings.Contains(stderr, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, stderr)
			}
			if tc.validJSON && !json.Valid([]byte(stdout)) {
				t.Errorf("stdout is not JSON:\n%s", stdout)
			}
		})
	}
}
