package conformance

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
)

// withFile is the v0.1.7 cluster plus one test file, listed in a one-test catalog.
func withFile(t *testing.T, name, body string, probes int) (fs.FS, *Catalog) {
	t.Helper()
	cluster, err := fs.ReadFile(FS, V017.ClusterFile())
	if err != nil {
		t.Fatal(err)
	}
	files := fstest.MapFS{"cluster.yaml": {Data: cluster}, "T/" + name: {Data: []byte(body)}}
	c := &Catalog{Tests: []Test{{ShortName: "T", Features: []Feature{FeatureANP},
		Subtests: []Subtest{{Name: "s", File: "T/" + name, Probes: probes}}}}}
	return files, c
}

// A probe whose expectation the backend does not meet fails its test, and the message names the
// file, the probe and what decided the verdict.
func TestRunReportsFailures(t *testing.T) {
	const head = "kind: PolicyTest\nmanifests: [../cluster.yaml]\nprobes:\n"
	const (
		from = "network-policy-conformance-gryffindor/harry-potter-0"
		to   = "network-policy-conformance-slytherin/draco-malfoy-0"
	)
	tests := []struct {
		name, body string
		probes     int
		want       []string // substrings of the failure lines, in order; none means the test passes
	}{
		{"expectations met", head + "- {from: " + from + ", to: " + to + ", port: 80, expect: Allow}\n", 1, nil},
		{"wrong expectation",
			head + "- {from: " + from + ", to: " + to + ", port: 80, expect: Allow}\n" +
				"- {from: " + from + ", to: " + to + ", protocol: UDP, port: 53, expect: Deny}\n",
			2,
			[]string{"test/conformance/T/01-x.yaml: probes[1] " + from + " -> " + to +
				" UDP/53 IPv4: expected Deny, got Allow ("}},
		{"file does not load", head + "- {from: " + from + ", to: nowhere/pod, port: 80, expect: Allow}\n", 1,
			[]string{"test/conformance/T/01-x.yaml: probes[0].to: pod nowhere/pod not found"}},
		{"probe count differs from the catalog", head + "- {from: " + from + ", to: " + to + ", port: 80, expect: Allow}\n",
			2,
			[]string{"test/conformance/T/01-x.yaml: 1 probes, but tests.yaml lists 2 for this subtest"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files, c := withFile(t, "01-x.yaml", tc.body, tc.probes)
			results, err := Run(files, c, policytest.Builtin(), "model")
			if err != nil {
				t.Fatal(err)
			}
			sub := results[0].Subtests[0]
			got := sub.Failures()
			if results[0].Passed() != (len(tc.want) == 0) || sub.Passed() != (len(tc.want) == 0) {
				t.Errorf("passed = %v, want %v", results[0].Passed(), len(tc.want) == 0)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("failures:\n%s\nwant %d", strings.Join(got, "\n"), len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("failure %d:\ngot  %s\nwant %s...", i, got[i], w)
				}
			}
		})
	}
}

func TestRunUnknownBackend(t *testing.T) {
	files, c := withFile(t, "01-x.yaml", "", 0)
	_, err := Run(files, c, policytest.Builtin(), "nope")
	if err == nil || !strings.Contains(err.Error(), `unknown backend "nope"`) {
		t.Errorf("got %v", err)
	}
}

func TestParseBackends(t *testing.T) {
	tests := []struct {
		name, list, want, err string
	}{
		{"empty means every backend", "", "acl,model", ""},
		{"one", "model", "model", ""},
		{"several, spaces and repeats", " acl, model ,acl", "acl,model", ""},
		{"unknown", "model,ovn-typo", "", `unknown backend "ovn-typo"`},
		{"empty name", "model,,acl", "", "backends: empty name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseBackends(tc.list, policytest.Builtin())
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("got %v, %v; want error %q", got, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, ",") != tc.want {
				t.Errorf("got %v, want %s", got, tc.want)
			}
		})
	}
}
