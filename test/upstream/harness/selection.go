package harness

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// What the reports say of tieracl; each harness fills the Implementation type of its suite with them.
const (
	Organization   = "tieracl"
	Project        = "tieracl"
	URL            = "https://github.com/tieracl/tieracl"
	Contact        = "tieracl maintainers"
	AdditionalInfo = "make conformance-upstream: the unchanged suite against tieracl-controller, OVN and " +
		"virtual nodes running agnhost (docs/e2e.md)"
)

// Selection is what a suite built with a harness's options does with one of its tests.
type Selection struct {
	Name string
	// Supported: every feature the test needs is enabled; Skipped: it is on the skip list.
	Supported, Skipped bool
}

// CheckSelection returns what is wrong with a suite's selection: every test must have its features,
// exactly the tests of skip (and no other SCTP test) must be skipped, and wantRun tests must run.
func CheckSelection(sel []Selection, skip []string, wantRun int) []error {
	var errs []error
	var run, skipped []string
	for _, s := range sel {
		switch {
		case !s.Supported:
			errs = append(errs, fmt.Errorf("%s needs a feature the harness does not enable", s.Name))
		case s.Skipped:
			skipped = append(skipped, s.Name)
		case strings.Contains(s.Name, "SCTP"):
			errs = append(errs, fmt.Errorf("%s runs, but SCTP cannot run on this kernel", s.Name))
			run = append(run, s.Name)
		default:
			run = append(run, s.Name)
		}
	}
	slices.Sort(skipped)
	if want := slices.Sorted(slices.Values(skip)); !slices.Equal(skipped, want) {
		errs = append(errs, fmt.Errorf("skipped %v, want %v (a name the suite does not have?)", skipped, want))
	}
	if len(run) != wantRun {
		errs = append(errs, fmt.Errorf("%d tests run, want %d: %v", len(run), wantRun, run))
	}
	return errs
}

// WriteReport writes the suite's report as YAML, as the suite's own command does.
func WriteReport(path string, report any) error {
	b, err := yaml.Marshal(report)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// Names turns a list of string-typed names into strings.
func Names[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}
