package policytest

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/eval"
)

// Backend builds an evaluator for a cluster: the policy model, the generated ACLs, a real OVN...
type Backend func(s *cluster.Snapshot) (eval.Evaluator, error)

// Backends are the backends a command offers, by name. Each command lists its own, so what it links
// and what it accepts are written in one place.
type Backends map[string]Backend

// Lookup returns the backend named name.
func (m Backends) Lookup(name string) (Backend, error) {
	if b, ok := m[name]; ok {
		return b, nil
	}
	return nil, fmt.Errorf("unknown backend %q; known: %s", name, strings.Join(m.Names(), ", "))
}

// Names lists the backends, sorted.
func (m Backends) Names() []string {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
