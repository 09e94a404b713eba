package conformance

import (
	"strings"
	"testing"
	"testing/fstest"
)

// Each catalog holds its whole suite, every profile, standard and experimental. The counts are upstream's
// tests/*.go: ConformanceTests, t.Run calls, PokeServer calls.
func TestCatalogCoversUpstream(t *testing.T) {
	tests := []struct {
		suite                   *Suite
		tests, subtests, probes int
		files                   int
		features                []Feature
	}{
		{V017, 24, 92, 289, 92, []Feature{FeatureANP, FeatureANPEgressNodePeers, FeatureANPNamedPorts, FeatureBANP,
			FeatureBANPEgressNodePeers, FeatureBANPNamedPorts}},
		// v0.3.0's pod-selector and inline-CIDR subtests change labels between probes: 128 files for 112 t.Run.
		{V030, 30, 112, 397, 128, []Feature{FeatureCNP, FeatureCNPEgressNodePeers, FeatureCNPNamedPorts}},
	}
	for _, tc := range tests {
		t.Run(tc.suite.Version, func(t *testing.T) {
			c, err := tc.suite.Catalog()
			if err != nil {
				t.Fatal(err)
			}
			subtests := map[string]bool{}
			var files, probes int
			for _, test := range c.Tests {
				files += len(test.Subtests)
				for _, s := range test.Subtests {
					subtests[test.ShortName+"/"+s.Name] = true
					probes += s.Probes
				}
			}
			if len(c.Tests) != tc.tests || len(subtests) != tc.subtests || probes != tc.probes || files != tc.files {
				t.Errorf("got %d tests, %d subtests, %d probes, %d files; want %d, %d, %d, %d", len(c.Tests), len(subtests), probes,
					files, tc.tests, tc.subtests, tc.probes, tc.files)
			}
			if got := c.Features(); strings.Join(featureStrings(got), ",") != strings.Join(featureStrings(tc.features), ",") {
				t.Errorf("features: got %v, want %v", got, tc.features)
			}
		})
	}
}

func TestParseSuites(t *testing.T) {
	tests := []struct{ list, want, err string }{
		{"", "v0.1.7,v0.3.0", ""},
		{" v0.3.0 ,v0.3.0", "v0.3.0", ""},
		{"v0.3.0,v0.1.7", "v0.3.0,v0.1.7", ""},
		{"v0.2.0", "", `unknown suite "v0.2.0" (have v0.1.7, v0.3.0)`},
	}
	for _, tc := range tests {
		got, err := ParseSuites(tc.list)
		var versions []string
		for _, s := range got {
			versions = append(versions, s.Version)
		}
		wrong := tc.err == "" && (err != nil || strings.Join(versions, ",") != tc.want)
		if tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) || wrong {
			t.Errorf("%q: got %v, %v; want %q, error %q", tc.list, versions, err, tc.want, tc.err)
		}
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
	const test = "- shortName: T\n  upstreamFile: x.go\n  features: [AdminNetworkPolicy]\n  manifests: [m.yaml]\n" +
		"  subtests:\n"
	tests := []struct {
		name  string
		files fstest.MapFS
		want  string
	}{
		{"no tests", fstest.MapFS{"tests.yaml": {Data: []byte("upstream: u\nversion: v\ntests: []\n")}},
			"tests.yaml: no tests"},
		{"feature of another suite", fstest.MapFS{"tests.yaml": {Data: []byte("tests:\n" +
			strings.Replace(test, "[AdminNetworkPolicy]", "[ClusterNetworkPolicy]", 1) +
			"  - {name: s, file: T/01-s.yaml, probes: 1}\n")}}, `test T: unknown feature "ClusterNetworkPolicy"`},
		{"unknown field", fstest.MapFS{"tests.yaml": {Data: []byte("upstream: u\nnotafield: v\n")}},
			`unknown field "notafield"`},
		{"unknown feature",
			fstest.MapFS{"tests.yaml": {Data: []byte("tests:\n" + strings.Replace(test, "[AdminNetworkPolicy]", "[Gateway]", 1) +
				"  - {name: s, file: T/01-s.yaml, probes: 1}\n")}}, `test T: unknown feature "Gateway"`},
		{"listed file missing",
			fstest.MapFS{"tests.yaml": {Data: []byte("tests:\n" + test + "  - {name: s, file: T/01-s.yaml, probes: 1}\n")}},
			"test T: open T/01-s.yaml: file does not exist"},
		{"file outside the test's folder",
			fstest.MapFS{"tests.yaml": {Data: []byte("tests:\n" + test + "  - {name: s, file: U/01-s.yaml, probes: 1}\n")}},
			"file U/01-s.yaml is not in the test's folder"},
		{"file not listed", fstest.MapFS{
			"tests.yaml":  {Data: []byte("tests:\n" + test + "  - {name: s, file: T/01-s.yaml, probes: 1}\n")},
			"T/01-s.yaml": {}, "T/02-forgotten.yaml": {},
		}, "T/02-forgotten.yaml is not listed under test T"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadCatalog(tc.files, ".", profilesV017)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// Upstream counts a test in a profile only when the profile has all its features, so the two v0.1.7
// tests needing ANP and BANP together count in neither; every v0.3.0 test counts in its one profile.
func TestProfileCounting(t *testing.T) {
	tests := []struct {
		suite     *Suite
		uncounted string
		want      map[string][2]int
	}{
		{V017, "AdminNetworkPolicyIntegration,AdminNetworkPolicyPriorityField",
			map[string][2]int{"AdminNetworkPolicy": {8, 3}, "BaselineAdminNetworkPolicy": {8, 3}}},
		{V030, "", map[string][2]int{"ClusterNetworkPolicy": {24, 6}}},
	}
	for _, tc := range tests {
		t.Run(tc.suite.Version, func(t *testing.T) {
			uncounted, counts := countProfiles(t, tc.suite)
			if got := strings.Join(uncounted, ","); got != tc.uncounted {
				t.Errorf("uncounted tests: %s", got)
			}
			if len(counts) != len(tc.want) {
				t.Errorf("profiles: got %v, want %v", counts, tc.want)
			}
			for name, w := range tc.want {
				if counts[name] != w {
					t.Errorf("%s: got %d standard, %d experimental tests; want %d, %d", name, counts[name][0], counts[name][1], w[0],
						w[1])
				}
			}
		})
	}
}

// countProfiles counts the suite's tests per profile, standard and experimental, and names those no
// profile counts.
func countProfiles(t *testing.T, s *Suite) ([]string, map[string][2]int) {
	c, err := s.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	var uncounted []string
	counts := map[string][2]int{}
	for _, test := range c.Tests {
		counted := false
		for _, p := range s.Profiles {
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
	return uncounted, counts
}
