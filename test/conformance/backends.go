package conformance

import (
	"context"
	"errors"
	"strings"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnbackend"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
	"github.com/tieracl/tieracl/test/testbed"
)

// EnvBackends is the environment variable naming the backends to run, comma-separated; the test's
// -backends flag overrides it. Unset or empty means every backend.
const EnvBackends = "TIERACL_CONFORMANCE_BACKENDS"

// Backends are the backends the suites run with: the built-in ones, and ovn and datapath on the OVN of
// test/ovn/fetch.sh, fetched when one of them first starts a bed.
func Backends() policytest.Backends {
	all := policytest.Builtin()
	all[ovnbackend.NameOVN] = withParts(func(bed ovnsandbox.Options) policytest.Backend {
		return ovnbackend.OVNBackend(bed)
	})
	all[ovnbackend.NameDatapath] = withParts(func(bed ovnsandbox.Options) policytest.Backend {
		return ovnbackend.DatapathBackend(ovnbackend.DatapathOptions{Bed: bed})
	})
	return all
}

func withParts(backend func(ovnsandbox.Options) policytest.Backend) policytest.Backend {
	return func(s *cluster.Snapshot) (eval.Evaluator, error) {
		parts, err := testbed.Get(context.Background())
		if err != nil {
			return nil, err
		}
		return backend(ovnsandbox.Options{OVN: parts.OVN, ProbeBinary: parts.ProbeBinary})(s)
	}
}

// ParseBackends turns a comma-separated list into backend names, every one of known; an empty list
// means all of known.
func ParseBackends(list string, known policytest.Backends) ([]string, error) {
	if strings.TrimSpace(list) == "" {
		return known.Names(), nil
	}
	var names []string
	seen := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			return nil, errors.New("backends: empty name in " + `"` + list + `"`)
		}
		if _, err := known.Lookup(name); err != nil {
			return nil, err
		}
		if !seen[name] {
			names = append(names, name)
			seen[name] = true
		}
	}
	return names, nil
}
