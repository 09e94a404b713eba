package conformance

import (
	"fmt"
	"io/fs"
	"path"
	"sort"

	"sigs.k8s.io/yaml"
)

// CatalogFile is the catalog's name in a suite's folder.
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

// Subtest is one t.Run of an upstream test, or one step of it, and the policy test file holding its
// probes. A subtest whose probes are separated by changes (a pod label set, a namespace relabelled) has
// one entry per run of probes between them, numbered from 1 in Step.
type Subtest struct {
	Name string `json:"name"`
	Step int    `json:"step,omitempty"`
	// File is the policy test file: in tests.yaml relative to the suite's folder, in a loaded catalog
	// relative to the root of the file system it was loaded from.
	File   string `json:"file"`
	Probes int    `json:"probes"`
}

// LoadCatalog reads the catalog in the folder dir of fsys and checks it against the files: every
// listed file must exist, every policy test file in a test's folder must be listed, so a file cannot be
// silently left out, and every feature must be one of the profiles'. The files it returns are relative
// to the root of fsys.
func LoadCatalog(fsys fs.FS, dir string, profiles []Profile) (*Catalog, error) {
	name := path.Join(dir, CatalogFile)
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	var c Catalog
	if err := yaml.UnmarshalStrict(data, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(c.Tests) == 0 {
		return nil, fmt.Errorf("%s: no tests", name)
	}
	listed := map[string]bool{}
	for ti := range c.Tests {
		t := &c.Tests[ti]
		if len(t.Subtests) == 0 || len(t.Features) == 0 {
			return nil, fmt.Errorf("%s: test %s needs subtests and features", name, t.ShortName)
		}
		for _, f := range t.Features {
			if !known(profiles, f) {
				return nil, fmt.Errorf("%s: test %s: unknown feature %q", name, t.ShortName, f)
			}
		}
		for si := range t.Subtests {
			s := &t.Subtests[si]
			if path.Dir(s.File) != t.ShortName {
				return nil, fmt.Errorf("%s: test %s: file %s is not in the test's folder", name, t.ShortName, s.File)
			}
			s.File = path.Join(dir, s.File)
			if _, err := fs.Stat(fsys, s.File); err != nil {
				return nil, fmt.Errorf("%s: test %s: %w", name, t.ShortName, err)
			}
			listed[s.File] = true
		}
		files, err := fs.Glob(fsys, path.Join(dir, t.ShortName, "[0-9][0-9]-*.yaml"))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if !listed[f] {
				return nil, fmt.Errorf("%s: %s is not listed under test %s", name, f, t.ShortName)
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
