package conformance

import (
	"fmt"
	"io/fs"
	"path"

	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
)

// TestResult is the outcome of one upstream test with one backend.
type TestResult struct {
	Test     Test
	Subtests []SubtestResult
}

// SubtestResult is the outcome of one policy test file.
type SubtestResult struct {
	Subtest Subtest
	Results []policytest.Result
	// Err is set when the file did not load or the backend could not judge its cluster; its text
	// starts with the file's name.
	Err error
}

// notJudged reports whether a probe could not be judged for a reason the suite accepts: only SCTP on a
// kernel without SCTP. Any other unjudged probe is a failure.
func notJudged(p policytest.Result) bool {
	return p.Probe.Protocol == "SCTP" && p.NotJudged()
}

// Passed reports whether the file loaded and every probe that could be judged got its expected verdict,
// with at least one judged.
func (r SubtestResult) Passed() bool {
	if r.Err != nil {
		return false
	}
	judged := 0
	for _, p := range r.Results {
		switch {
		case notJudged(p):
		case !p.Pass:
			return false
		default:
			judged++
		}
	}
	return judged > 0
}

// Skipped reports whether the file loaded but none of its probes could be judged.
func (r SubtestResult) Skipped() bool {
	if r.Err != nil || len(r.Results) == 0 {
		return false
	}
	for _, p := range r.Results {
		if !notJudged(p) {
			return false
		}
	}
	return true
}

// NotJudged names, one line each, the probes the backend could not judge, so none hides in a count.
func (r SubtestResult) NotJudged() []string {
	var out []string
	for _, p := range r.Results {
		if notJudged(p) {
			out = append(out, fmt.Sprintf("%s: probes[%d] %s -> %s %s/%s: %v", path.Join(Display, r.Subtest.File),
				p.Index, p.Probe.From, p.Probe.To, p.Probe.Protocol, p.Probe.Port.String(), p.Err))
		}
	}
	return out
}

// Failures describes what went wrong, one line per failed probe, each naming the file and the probe.
func (r SubtestResult) Failures() []string {
	file := path.Join(Display, r.Subtest.File)
	if r.Err != nil {
		return []string{r.Err.Error()}
	}
	var out []string
	if len(r.Results) == 0 {
		out = append(out, file+": no probes ran")
	}
	for _, p := range r.Results {
		if p.Pass || notJudged(p) {
			continue
		}
		pr := p.Probe
		family := pr.Family
		if family == "" {
			family = policytest.IPv4
		}
		line := fmt.Sprintf("%s: probes[%d] %s -> %s %s/%s %s: expected %s, got %s (%s)",
			file, p.Index, pr.From, pr.To, pr.Protocol, pr.Port.String(), family, pr.Expect, p.Got(),
			policytest.Deciding(p.Verdict))
		if p.Err != nil {
			line += ": " + p.Err.Error()
		}
		out = append(out, line)
	}
	return out
}

// Passed reports whether every subtest passed, as upstream passes a test only when all its t.Run do;
// subtests none of whose probes could be judged neither pass nor fail, but a test of only those is
// Skipped, not passed.
func (r TestResult) Passed() bool {
	passed := 0
	for _, s := range r.Subtests {
		switch {
		case s.Skipped():
		case !s.Passed():
			return false
		default:
			passed++
		}
	}
	return passed > 0
}

// Skipped reports whether no probe of the test could be judged (e.g. an SCTP test on a kernel without
// SCTP).
func (r TestResult) Skipped() bool {
	for _, s := range r.Subtests {
		if !s.Skipped() {
			return false
		}
	}
	return len(r.Subtests) > 0
}

// Probes counts the probes that passed and all probes run.
func (r TestResult) Probes() (passed, total int) {
	for _, s := range r.Subtests {
		for _, p := range s.Results {
			total++
			if p.Pass {
				passed++
			}
		}
	}
	return passed, total
}

// Run runs every test of the catalog with the backend of known named backend.
func Run(fsys fs.FS, c *Catalog, known policytest.Backends, backend string) ([]TestResult, error) {
	b, err := known.Lookup(backend)
	if err != nil {
		return nil, err
	}
	out := make([]TestResult, 0, len(c.Tests))
	for _, t := range c.Tests {
		out = append(out, runTest(fsys, t, b))
	}
	return out, nil
}

func runTest(fsys fs.FS, t Test, b policytest.Backend) TestResult {
	r := TestResult{Test: t}
	for _, s := range t.Subtests {
		r.Subtests = append(r.Subtests, runSubtest(fsys, s, b))
	}
	return r
}

func runSubtest(fsys fs.FS, s Subtest, b policytest.Backend) SubtestResult {
	r := SubtestResult{Subtest: s}
	suite, err := policytest.LoadFS(fsys, s.File, Display)
	if err != nil {
		r.Err = err
		return r
	}
	if len(suite.Probes) != s.Probes {
		r.Err = fmt.Errorf("%s: %d probes, but %s lists %d for this subtest", suite.Path, len(suite.Probes), CatalogFile,
			s.Probes)
		return r
	}
	ev, err := b(suite.Snapshot)
	if err != nil {
		r.Err = fmt.Errorf("%s: backend: %w", suite.Path, err)
		return r
	}
	r.Results = policytest.Run(ev, suite)
	if err := policytest.Close(ev); err != nil {
		r.Err = fmt.Errorf("%s: backend: %w", suite.Path, err)
	}
	return r
}
