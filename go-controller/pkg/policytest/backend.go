package policytest

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/eval"
)

// Backend builds an evaluator for a cluster: the policy model, the generated ACLs, a real OVN...
type Backend func(s *cluster.Snapshot) (eval.Evaluator, error)

var (
	backendsMu sync.RWMutex
	backends   = map[string]Backend{}
)

// RegisterBackend makes a backend available by name, e.g. from an init function. Registering a name
// twice is a programming error and panics.
func RegisterBackend(name string, b Backend) {
	backendsMu.Lock()
	defer backendsMu.Unlock()
	if _, dup := backends[name]; dup {
		panic("policytest: backend " + name + " registered twice")
	}
	backends[name] = b
}

// LookupBackend returns the backend registered under name.
func LookupBackend(name string) (Backend, error) {
	backendsMu.RLock()
	defer backendsMu.RUnlock()
	if b, ok := backends[name]; ok {
		return b, nil
	}
	return nil, fmt.Errorf("unknown backend %q; known: %s", name, strings.Join(backendNamesLocked(), ", "))
}

// BackendNames lists the registered backends, sorted.
func BackendNames() []string {
	backendsMu.RLock()
	defer backendsMu.RUnlock()
	return backendNamesLocked()
}

func backendNamesLocked() []string {
	names := make([]string, 0, len(backends))
	for name := range backends {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
