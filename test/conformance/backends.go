package conformance

import (
	"errors"
	"strings"

	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
)

// EnvBackends is the environment variable naming the backends to run, comma-separated; the test's
// -backends flag overrides it. Unset or empty means every registered backend.
const EnvBackends = "TIERACL_CONFORMANCE_BACKENDS"

// ParseBackends turns a comma-separated list into backend names, every one registered in
// policytest; an empty list means all registered backends.
func ParseBackends(list string) ([]string, error) {
	if strings.TrimSpace(list) == "" {
		return policytest.BackendNames(), nil
	}
	var names []string
	seen := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			return nil, errors.New("backends: empty name in " + `"` + list + `"`)
		}
		if _, err := policytest.LookupBackend(name); err != nil {
			return nil, err
		}
		if !seen[name] {
			names = append(names, name)
			seen[name] = true
		}
	}
	return names, nil
}
