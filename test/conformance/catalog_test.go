package conformance

import (
	"strings"
	"testing"
	"testing/fstest"
)

// The catalog holds the whole v0.1.7 suite for the ANP and BANP profiles, standard and experimental.
func TestCatalogCoversUpstream(t *testing.T) {
	c, err := LoadCatalog(FS)
	if err != nil {
		t.Fatal(err)
	}
	var subtests, probes int
	for _, test := range c.Tests {
		subtests += len(test.Subtests)
		for _, s := range test.Subtests {
			probes += s.Probes
		}
	}
	// Counted from upstream's tests/*.go: 24 ConformanceTests, 92 t.Run, 289 PokeServer calls.
	if len(c.Tests) != 24 || subtests != 92 || probes != 289 {
		t.Errorf("got %d tests, %d subtests, %d probes; want 24, 92, 289", len(c.Tests), subtests, probes)
	}
	want := []Feature{FeatureANP, FeatureANPEgressNodePeers, FeatureANPNamedPorts, FeatureBANP, FeatureBANPEgressNodePeers, FeatureBANPNamedPorts}
	if got := c.Features(); strings.Join(featureStrings(got), ",") != strings.Join(featureStrings(want), ",") {
		t.Errorf("features: got %v, want %v", got, want)
	}
}

func featureStrings(fs []Feature) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = string(f)
	}
	return out
}

func TestLoadCatalogErrors(t *testing.T) {
	const test = "- shortName: T\n  upstreamFile: x.go\n  features: [AdminNetworkPolicy]\n  manifests: [m.yaml]\n  subtests:\n"
	tests := []struct {
		name  string
		files fstest.MapFS
		want  string
	}{
		{"no tests", fstest.MapFS{"tests.yaml": {Data: []byte("upstream: u\nversion: v\ntests: []\n")}}, "tests.yaml: no tests"},
		{"unknown field", fstest.MapFS{"tests.yaml": {Data: []byte("upstream: u\nversoin: v\n")}}, `unknown field "versoin"`},
		{"unknown feature", fstest.MapFS{"tests.yaml": {Data: []byte("tests:\n" + strings.Replace(test, "[AdminNetworkPolicy]", "[Gateway]", 1) +
			"  - {name: s, file: T/01-s.yaml, probes: 1}\n")}}, `test T: unknown feature "Gateway"`},
		{"listed file missing", fstest.MapFS{"tests.yaml": {Data: []byte("tests:\n" + test + "  - {name: s, file: T/01-s.yaml, probes: 1}\n")}},
			"test T: open T/01-s.yaml: file does not exist"},
		{"file outside the test's folder", fstest.MapFS{"tests.yaml": {Data: []byte("tests:\n" + test + "  - {name: s, file: U/01-s.yaml, probes: 1}\n")}},
			"file U/01-s.yaml is not in the test's folder"},
		{"file not listed", fstest.MapFS{
			"tests.yaml":  {Data: []byte("tests:\n" + test + "  - {name: s, file: T/01-s.yaml, probes: 1}\n")},
			"T/01-s.yaml": {}, "T/02-forgotten.yaml": {},
		}, "T/02-forgotten.yaml is not listed under test T"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadCatalog(tc.files)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// Upstream counts a test in a profile only when the profile has all its features, so the two tests
// needing ANP and BANP together count in neither.
func TestProfileCounting(t *testing.T) {
	c, err := LoadCatalog(FS)
	if err != nil {
		t.Fatal(err)
	}
	var uncounted []string
	counts := map[string][2]int{}
	for _, test := range c.Tests {
		counted := false
		for _, p := range Profiles {
			if !p.Counts(test) {
				continue
			}
			counted = true
			n := counts[p.Name]
			if p.IsExperimental(test) {
				n[1]++
			} else {
				n[0]++
			}
			counts[p.Name] = n
		}
		if !counted {
			uncounted = append(uncounted, test.ShortName)
		}
	}
	if got := strings.Join(uncounted, ","); got != "AdminNetworkPolicyIntegration,AdminNetworkPolicyPriorityField" {
		t.Errorf("uncounted tests: %s", got)
	}
	want := map[string][2]int{"AdminNetworkPolicy": {8, 3}, "BaselineAdminNetworkPolicy": {8, 3}}
	for name, w := range want {
		if counts[name] != w {
			t.Errorf("%s: got %d standard, %d experimental tests; want %d, %d", name, counts[name][0], counts[name][1], w[0], w[1])
		}
	}
}
