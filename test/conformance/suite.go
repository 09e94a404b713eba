package conformance

import (
	"fmt"
	"path"
	"strings"
)

// Suite is one release of the upstream conformance suite, transcribed into the folder named after it.
type Suite struct {
	// Version is the network-policy-api release, also the suite's folder in FS.
	Version string
	// Profiles are the release's conformance profiles, sorted by name.
	Profiles []Profile
	// Partial is whether the release's reports have the result "partial" for a level whose tests
	// passed but some were skipped (v0.1.7); without it, a skipped test fails the level (v0.3.0, whose
	// profiles list no optional tests).
	Partial bool
}

// The transcribed suites.
var (
	V017 = &Suite{Version: "v0.1.7", Profiles: profilesV017, Partial: true}
	V030 = &Suite{Version: "v0.3.0", Profiles: profilesV030}
)

// Suites are the transcribed suites, oldest first.
var Suites = []*Suite{V017, V030}

// EnvSuites is the environment variable naming the suites to run, comma-separated versions; the
// test's -suites flag overrides it. Unset or empty means every suite.
const EnvSuites = "TIERACL_CONFORMANCE_SUITES"

// Catalog loads the suite's catalog from FS and checks it names this release.
func (s *Suite) Catalog() (*Catalog, error) {
	c, err := LoadCatalog(FS, s.Version, s.Profiles)
	if err != nil {
		return nil, err
	}
	if c.Version != s.Version {
		return nil, fmt.Errorf("%s: version %q, want %q", path.Join(s.Version, CatalogFile), c.Version, s.Version)
	}
	return c, nil
}

// ClusterFile is the suite's cluster in FS.
func (s *Suite) ClusterFile() string { return path.Join(s.Version, "cluster.yaml") }

// ParseSuites turns a comma-separated list of versions into suites; an empty list means every suite.
func ParseSuites(list string) ([]*Suite, error) {
	if strings.TrimSpace(list) == "" {
		return Suites, nil
	}
	var out []*Suite
	seen := map[*Suite]bool{}
	for _, v := range strings.Split(list, ",") {
		v = strings.TrimSpace(v)
		var found *Suite
		for _, s := range Suites {
			if s.Version == v {
				found = s
			}
		}
		if found == nil {
			return nil, fmt.Errorf("suites: unknown suite %q (have %s)", v, versions())
		}
		if !seen[found] {
			out = append(out, found)
			seen[found] = true
		}
	}
	return out, nil
}

func versions() string {
	var vs []string
	for _, s := range Suites {
		vs = append(vs, s.Version)
	}
	return strings.Join(vs, ", ")
}
