// Package manifest reads Kubernetes objects from YAML and JSON files into a cluster.Snapshot. It takes
// the kinds network policy reads (Namespace, Pod, Node, NetworkPolicy, AdminNetworkPolicy and
// BaselineAdminNetworkPolicy), decodes them strictly into the API's Go types, and names the file,
// document and field of every error.
package manifest

import "github.com/tieracl/tieracl/go-controller/pkg/cluster"

// Load reads files and folders (recursively, *.yaml, *.yml and *.json, in lexical order).
func Load(paths ...string) (*cluster.Snapshot, error) {
	snap, _, err := LoadWithSources(paths...)
	return snap, err
}

// LoadWithSources is Load that also says which file each object came from.
func LoadWithSources(paths ...string) (*cluster.Snapshot, Sources, error) {
	set := NewSet()
	if err := set.AddPaths(paths...); err != nil {
		return nil, nil, err
	}
	return set.Snapshot(), set.Sources(), nil
}
