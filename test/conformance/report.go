package conformance

import (
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// SuiteVersion is the network-policy-api release whose conformance suite the files transcribe.
const SuiteVersion = "v0.1.7"

// BuildReport turns one backend's results into a ConformanceReport as upstream's suite builds it:
// a test counts in every profile that has all its features, at the experimental level when any of
// them is experimental there; a level fails when a test failed, and is partial when a test could not be
// judged at all by this backend on this machine (SCTP without kernel SCTP), which it lists as skipped.
func BuildReport(impl Implementation, date, backend string, results []TestResult) ConformanceReport {
	r := ConformanceReport{
		TypeMeta:                  metav1.TypeMeta{APIVersion: "policy.networking.k8s.io/v1alpha1", Kind: "ConformanceReport"},
		Implementation:            impl,
		Date:                      date,
		NetworkPolicyV2APIVersion: SuiteVersion,
	}
	uncounted := uncountedTests(results)
	for _, p := range Profiles {
		var standard, experimental level
		for _, res := range results {
			if !p.Counts(res.Test) {
				continue
			}
			if p.IsExperimental(res.Test) {
				experimental.add(res)
			} else {
				standard.add(res)
			}
		}
		if standard.tests+experimental.tests == 0 {
			continue // upstream reports only the profiles that counted a test
		}
		pr := ProfileReport{Name: p.Name, Standard: standard.status(backend, "standard", uncounted)}
		if experimental.tests > 0 {
			es := &ExperimentalStatus{Status: experimental.status(backend, "experimental", "")}
			for _, f := range p.Experimental {
				es.SupportedFeatures = append(es.SupportedFeatures, string(f))
			}
			pr.Experimental = es
		}
		r.ProfileReports = append(r.ProfileReports, pr)
	}
	return r
}

// level accumulates the tests of one level of one profile.
type level struct {
	stats                Statistics
	failed, skipped      []string
	tests, probes, total int
}

func (l *level) add(res TestResult) {
	l.tests++
	passed, total := res.Probes()
	l.probes += passed
	l.total += total
	switch {
	case res.Skipped():
		l.stats.Skipped++
		l.skipped = append(l.skipped, res.Test.ShortName)
		return
	case res.Passed():
		l.stats.Passed++
		return
	}
	l.stats.Failed++
	l.failed = append(l.failed, res.Test.ShortName)
}

func (l *level) status(backend, name, note string) Status {
	s := Status{Statistics: l.stats, FailedTests: l.failed, SkippedTests: l.skipped, Result: Success}
	switch {
	case l.stats.Failed > 0:
		s.Result = Failure
	case l.stats.Skipped > 0:
		s.Result = Partial
	}
	s.Summary = fmt.Sprintf("backend %s: %d of %d %s tests passed (%d of %d probes).", backend, l.stats.Passed, l.tests, name, l.probes, l.total)
	if note != "" {
		s.Summary += " " + note
	}
	return s
}

// uncountedTests describes the tests no profile counts (they need ANP and BANP together), which
// upstream's report leaves out; the summary says how they went so the report hides nothing.
func uncountedTests(results []TestResult) string {
	var passed, failed []string
	for _, res := range results {
		counted := false
		for _, p := range Profiles {
			counted = counted || p.Counts(res.Test)
		}
		switch {
		case counted:
		case res.Passed():
			passed = append(passed, res.Test.ShortName)
		default:
			failed = append(failed, res.Test.ShortName)
		}
	}
	if len(passed)+len(failed) == 0 {
		return ""
	}
	note := "Tests needing features of both profiles count in neither, as upstream reports them; of those,"
	if len(passed) > 0 {
		note += " passed: " + strings.Join(passed, ", ")
		if len(failed) > 0 {
			note += ";"
		}
	}
	if len(failed) > 0 {
		note += " FAILED: " + strings.Join(failed, ", ")
	}
	return note + "."
}
