package main

import (
	"path"

	"github.com/tieracl/tieracl/examples"
	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/manifest"
)

// defaultExampleName is how errors and messages name the embedded default example.
var defaultExampleName = path.Join("examples", examples.Default)

// loadSnapshot reads the manifests at paths, or the embedded default example when there are none.
func loadSnapshot(paths []string) (*cluster.Snapshot, error) {
	set := manifest.NewSet()
	if len(paths) == 0 {
		if err := set.AddFS(examples.FS, examples.Default, defaultExampleName); err != nil {
			return nil, err
		}
		return set.Snapshot(), nil
	}
	if err := set.AddPaths(paths...); err != nil {
		return nil, err
	}
	return set.Snapshot(), nil
}
