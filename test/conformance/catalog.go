package conformance

import (
	"fmt"
	"io/fs"
	"path"
	"sort"

	"sigs.k8s.io/yaml"
)

// CatalogFile is the catalog's name in FS.
const CatalogFile = "tests.yaml"

// Catalog lists the upstream tests that the policy test files transcribe.
type Catalog struct {
	Upstream string `json:"upstream"`
	Version  string `json:"version"`
	Tests    []Test `json:"tests"`
}

// Test is one upstream suite.ConformanceTest.
type Test struct {
	ShortName    string    `json:"shortName"`
	UpstreamFile string    `json:"upstreamFile"`
	Features     []Feature `json:"features"`
	Manifests    []string  `json:"manifests"`
	Subtests     []Subtest `json:"subtests"`
}

// Subtest is one t.Run of an upstream test and the policy test file holding its probes.
type Subtest struct {
	Name   string `json:"name"`
	File   string `json:"file"`
	Probes int    `json:"probes"`
}

// LoadCatalog reads the catalog and checks it against the files: every listed file must exist, and
// every policy test file in a test's folder must be listed, so a file cannot be silently left out.
func LoadCatalog(fsys fs.FS) (*Catalog, error) {
	data, err := fs.ReadFile(fsys, CatalogFile)
	if err != nil {
		return nil, err
	}
	var c Catalog
	if err := yaml.UnmarshalStrict(data, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", CatalogFile, err)
	}
	if len(c.Tests) == 0 {
		return nil, fmt.Errorf("%s: no tests", CatalogFile)
	}
	listed := map[string]bool{}
	for _, t := range c.Tests {
		if len(t.Subtests) == 0 || len(t.Features) == 0 {
			return nil, fmt.Errorf("%s: test %s needs subtests and features", CatalogFile, t.ShortName)
		}
		for _, f := range t.Features {
			if !f.Known() {
				return nil, fmt.Errorf("%s: test %s: unknown feature %q", CatalogFile, t.ShortName, f)
			}
		}
		for _, s := range t.Subtests {
			if path.Dir(s.File) != t.ShortName {
				return nil, fmt.Errorf("%s: test %s: file %s is not in the test's folder", CatalogFile, t.ShortName, s.File)
			}
			if _, err := fs.Stat(fsys, s.File); err != nil {
				return nil, fmt.Errorf("%s: test %s: %w", CatalogFile, t.ShortName, err)
			}
			listed[s.File] = true
		}
		files, err := fs.Glob(fsys, t.ShortName+"/[0-9][0-9]-*.yaml")
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if !listed[f] {
				return nil, fmt.Errorf("%s: %s is not listed under test %s", CatalogFile, f, t.ShortName)
			}
		}
	}
	return &c, nil
}

// Features lists the features of the catalog's tests, sorted.
func (c *Catalog) Features() []Feature {
	seen := map[Feature]bool{}
	for _, t := range c.Tests {
		for _, f := range t.Features {
			seen[f] = true
		}
	}
	out := make([]Feature, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
