package policytest

import (
	"fmt"
	"io/fs"
	"path"
	"path/filepath"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/manifest"
)

// Suite is a loaded policy test: its cluster and its probes resolved into flows.
type Suite struct {
	Path     string
	Snapshot *cluster.Snapshot
	Sources  manifest.Sources
	Probes   []Probe
	Flows    []eval.Flow // Flows[i] is Probes[i]'s flow
}

// Load reads a policy test file, its manifests (relative to the file) and inline objects, and resolves
// every probe. Errors start with the test file's path and the field, e.g.
// "t.yaml: probes[3].to: pod slytherin/x not found".
func Load(path string) (*Suite, error) {
	f, err := ParseFile(path)
	if err != nil {
		return nil, err
	}
	return f.Load(path)
}

// LoadFS is Load for a test file in fsys, such as the embedded examples; display prefixes file names
// in errors.
func LoadFS(fsys fs.FS, name, display string) (*Suite, error) {
	shown := path.Join(display, name)
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	f, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", shown, err)
	}
	return f.load(shown, func(set *manifest.Set, m string) error {
		dir := path.Dir(name)
		return set.AddFS(fsys, path.Join(dir, m), path.Join(display, dir, m))
	})
}

// Load loads the cluster of a parsed file; path is the file's own path, which manifests are relative to.
func (f *File) Load(path string) (*Suite, error) {
	return f.load(path, func(set *manifest.Set, m string) error {
		if !filepath.IsAbs(m) {
			m = filepath.Join(filepath.Dir(path), m)
		}
		return set.AddPaths(m)
	})
}

func (f *File) load(path string, addManifest func(set *manifest.Set, m string) error) (*Suite, error) {
	set := manifest.NewSet()
	for i, m := range f.Manifests {
		if err := addManifest(set, m); err != nil {
			return nil, fmt.Errorf("%s: manifests[%d]: %w", path, i, err)
		}
	}
	for i, obj := range f.Objects {
		src := manifest.Source{File: fmt.Sprintf("%s: objects[%d]", path, i), Item: -1}
		if err := set.AddObject(src, obj); err != nil {
			return nil, err
		}
	}
	s := &Suite{Path: path, Snapshot: set.Snapshot(), Sources: set.Sources(), Probes: f.Probes}
	ix := cluster.NewIndex(s.Snapshot, nil)
	for i, p := range f.Probes {
		flow, err := Resolve(ix, p)
		if err != nil {
			return nil, fmt.Errorf("%s: probes[%d].%w", path, i, err)
		}
		s.Flows = append(s.Flows, flow)
	}
	return s, nil
}
