package conformance

import (
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// BuildReport turns one backend's results into the suite's ConformanceReport as upstream's suite of
// that release builds it: a test counts in every profile that has all its features, at the
// experimental level when any of them is experimental there; a level fails when a test failed. A test
// this backend could not judge at all on this machine (SCTP without kernel SCTP) is listed as skipped;
// v0.1.7 calls such a level partial, v0.3.0 fails it ("required tests skipped").
func (s *Suite) BuildReport(impl Implementation, date, backend string, results []TestResult) Report {
	r := Report{
		TypeMeta:       metav1.TypeMeta{APIVersion: "policy.networking.k8s.io/v1alpha1", Kind: "ConformanceReport"},
		Implementation: impl,
		Date:           date,
	}
	if s.Partial {
		r.NetworkPolicyV2APIVersion = s.Version
	} else {
		r.NetworkPolicyBundleVersion = s.Version
	}
	uncounted := uncountedTests(s.Profiles, results)
	for _, p := range s.Profiles {
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
		pr := ProfileReport{Name: p.Name, Standard: standard.status(backend, "standard", uncounted, s.Partial)}
		if experimental.tests > 0 {
			es := &ExperimentalStatus{Status: experimental.status(backend, "experimental", "", s.Partial)}
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
	notJudged            int
}

func (l *level) add(res TestResult) {
	l.tests++
	passed, total := res.Probes()
	l.probes += passed
	l.total += total
	for _, s := range res.Subtests {
		l.notJudged += len(s.NotJudged())
	}
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

func (l *level) status(backend, name, note string, partial bool) Status {
	s := Status{Statistics: l.stats, FailedTests: l.failed, SkippedTests: l.skipped, Result: Success}
	judged := ""
	if l.notJudged > 0 {
		judged = fmt.Sprintf(", %d not judged", l.notJudged)
	}
	s.Summary = fmt.Sprintf("backend %s: %d of %d %s tests passed (%d of %d probes%s).",
		backend, l.stats.Passed, l.tests, name, l.probes, l.total, judged)
	switch {
	case l.stats.Failed > 0:
		s.Result = Failure
	case l.stats.Skipped > 0 && partial:
		s.Result = Partial
	case l.stats.Skipped > 0:
		s.Result = Failure
		s.Summary += " Required tests skipped: " + strings.Join(l.skipped, ", ") + "."
	}
	if note != "" {
		s.Summary += " " + note
	}
	return s
}

// uncountedTests describes the tests no profile counts (they need ANP and BANP together), which
// upstream's report leaves out; the summary says how they went so the report hides nothing.
func uncountedTests(profiles []Profile, results []TestResult) string {
	var passed, failed []string
	for _, res := range results {
		counted := false
		for _, p := range profiles {
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
