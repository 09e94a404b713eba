package harness

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Verdicts on one upstream test.
const (
	Passed = "passed"
	// Skipped: on the harness's skip list (the SCTP tests), so never run.
	Skipped = "skipped"
	// SCTPNotJudged: failed, and every failure is an SCTP probe that this kernel cannot make (no SCTP
	// sockets: agnhost says "protocol not supported"). Its TCP and UDP probes that ran passed.
	SCTPNotJudged = "sctp-not-judged"
	Failed        = "failed"
	// NotRun: the suite skipped it for a feature the harness did not enable, or it never started.
	NotRun = "not-run"
)

// TestVerdict is the judgement on one upstream test.
type TestVerdict struct {
	Name         string   `json:"name"`
	Verdict      string   `json:"verdict"`
	Elapsed      Duration `json:"elapsed"`
	Failures     []string `json:"failures,omitempty"`
	SCTPFailures int      `json:"sctpFailures,omitempty"`
}

// Verdict is the judgement on a whole run.
type Verdict struct {
	Tests []TestVerdict `json:"tests"`
	// Setup holds failures outside any upstream test (base workload not ready, report not written).
	Setup  []string       `json:"setup,omitempty"`
	Counts map[string]int `json:"counts"`
}

// OK reports whether the run passed: every test passed, was skipped by name, or failed only on SCTP.
func (v Verdict) OK() bool {
	return len(v.Setup) == 0 && len(v.Tests) > 0 && v.Counts[Failed] == 0 && v.Counts[NotRun] == 0
}

// testEvent is one line of `go test -json` (test2json) output.
type testEvent struct {
	Time    time.Time
	Action  string
	Test    string
	Elapsed float64
	Output  string
}

// probeFailure matches the suite's log of a failed probe: "FAILED Command was [/agnhost connect
// --timeout=3s --protocol=sctp 10.0.0.5:9003]" or "FAILED to execute command [...]".
var probeFailure = regexp.MustCompile(`FAILED (?:Command was|to execute command) \[/agnhost connect ` +
	`.*--protocol=(\w+) ([^\]\s]+)\]`)

// sctpUnsupported is what agnhost connect prints when the kernel has no SCTP.
const sctpUnsupported = "protocol not supported"

type probe struct {
	protocol, target, detail string
}

type testState struct {
	verdict TestVerdict
	action  string
	// last failed probe logged per subtest, waiting for the assertion that reports it; pending: the
	// probe of the assertion being read; asserts: that assertion.
	last, pending map[string]*probe
	asserts       map[string]*assertion
}

// Judge reads a go test -json stream of the harness test named top (e.g. "TestConformance") whose
// subtests are the upstream tests, and judges each. skip lists the tests the harness skipped by name.
func Judge(r io.Reader, top string, skip []string) (Verdict, error) {
	skipped := map[string]bool{}
	for _, s := range skip {
		skipped[s] = true
	}
	tests := map[string]*testState{}
	var order []string
	var v Verdict
	var setup assertion
	topAction := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] != '{' {
			continue // build output and the like
		}
		var ev testEvent
		if err := json.Unmarshal(line, &ev); err != nil {
			return v, fmt.Errorf("reading test events: %w", err)
		}
		if ev.Test == top {
			if ev.Action == "pass" || ev.Action == "fail" || ev.Action == "skip" {
				topAction = ev.Action
			}
			if _, msg, ok := strings.Cut(ev.Output, "harness: "); ok && ev.Action == "output" {
				v.Setup = append(v.Setup, strings.TrimSpace(msg)) // the harness's own t.Fatal
			} else if ev.Action == "output" {
				if msg, done := setup.add(ev.Output); done {
					v.Setup = append(v.Setup, msg)
				}
			}
			continue
		}
		rest, ok := strings.CutPrefix(ev.Test, top+"/")
		if !ok {
			continue
		}
		name, sub, _ := strings.Cut(rest, "/")
		st := tests[name]
		if st == nil {
			st = &testState{verdict: TestVerdict{Name: name}, last: map[string]*probe{},
				pending: map[string]*probe{}, asserts: map[string]*assertion{}}
			tests[name] = st
			order = append(order, name)
		}
		if sub == "" && (ev.Action == "pass" || ev.Action == "fail" || ev.Action == "skip") {
			st.action = ev.Action
			st.verdict.Elapsed = Duration(time.Duration(ev.Elapsed * float64(time.Second)))
		}
		if ev.Action == "output" {
			st.output(sub, ev.Output)
		}
	}
	if err := sc.Err(); err != nil {
		return v, err
	}
	if msg, done := setup.flush(); done {
		v.Setup = append(v.Setup, msg)
	}
	if topAction == "" {
		v.Setup = append(v.Setup, fmt.Sprintf("%s did not finish (killed or timed out?)", top))
	} else if topAction == "fail" && len(order) == 0 && len(v.Setup) == 0 {
		v.Setup = append(v.Setup, fmt.Sprintf("%s failed before any upstream test ran", top))
	}
	v.Counts = map[string]int{}
	for _, name := range order {
		st := tests[name]
		for sub := range st.asserts {
			st.flush(sub)
		}
		st.verdict.Verdict = st.judge(skipped[name])
		v.Counts[st.verdict.Verdict]++
		v.Tests = append(v.Tests, st.verdict)
	}
	sort.SliceStable(v.Tests, func(i, j int) bool { return v.Tests[i].Name < v.Tests[j].Name })
	return v, nil
}

// errorLine finds testify's "Error:" line in a test's output and returns its message.
func errorLine(out string) (string, bool) {
	s := strings.TrimSpace(out)
	msg, ok := strings.CutPrefix(s, "Error:")
	if !ok {
		return "", false
	}
	return strings.TrimSpace(msg), true
}

// assertion gathers one testify failure block: the "Error:" line, its continuation lines, and the
// "Messages:" line, into one message.
type assertion struct {
	parts  []string
	active bool
}

// add takes one output line; it returns the message when a block ends with this line.
func (a *assertion) add(out string) (string, bool) {
	s := strings.TrimSpace(out)
	if msg, ok := errorLine(out); ok {
		prev, had := a.flush()
		a.parts, a.active = []string{msg}, true
		return prev, had
	}
	if !a.active {
		return "", false
	}
	switch {
	case strings.HasPrefix(s, "Messages:"):
		a.parts = append(a.parts, strings.TrimSpace(strings.TrimPrefix(s, "Messages:")))
		return a.flush()
	case strings.HasPrefix(s, "Test:"):
		return "", false
	case strings.HasPrefix(out, "        \t"), s == "":
		a.parts = append(a.parts, s)
		return "", false
	default: // the next log line: the block had no Messages
		return a.flush()
	}
}

func (a *assertion) flush() (string, bool) {
	if !a.active {
		return "", false
	}
	msg := strings.Join(a.parts, " ")
	a.parts, a.active = nil, false
	return strings.TrimSpace(msg), true
}

func (st *testState) output(sub, out string) {
	if m := probeFailure.FindStringSubmatch(out); m != nil {
		st.flush(sub)
		st.last[sub] = &probe{protocol: m[1], target: m[2]}
		return
	}
	if p := st.last[sub]; p != nil && strings.Contains(out, "Expected connection") {
		p.detail = strings.TrimSpace(out)
		return
	}
	if _, ok := errorLine(out); ok {
		st.flush(sub)
		// the assertion that follows a probe's failure log reports that probe
		st.pending[sub] = st.last[sub]
		delete(st.last, sub)
	}
	a := st.asserts[sub]
	if a == nil {
		a = &assertion{}
		st.asserts[sub] = a
	}
	if msg, done := a.add(out); done {
		st.record(sub, msg)
	}
}

// flush records the assertion still being read in sub, if any.
func (st *testState) flush(sub string) {
	if a := st.asserts[sub]; a != nil {
		if msg, done := a.flush(); done {
			st.record(sub, msg)
		}
	}
}

func (st *testState) record(sub, msg string) {
	p := st.pending[sub]
	delete(st.pending, sub)
	where := sub
	if where == "" {
		where = "(test body)"
	}
	switch {
	case p != nil && p.protocol == "sctp" && strings.Contains(p.detail, sctpUnsupported):
		st.verdict.SCTPFailures++
	case p != nil:
		st.verdict.Failures = append(st.verdict.Failures,
			fmt.Sprintf("%s: %s probe to %s: %s", where, p.protocol, p.target, p.detail))
	default:
		st.verdict.Failures = append(st.verdict.Failures, fmt.Sprintf("%s: %s", where, msg))
	}
}

func (st *testState) judge(skipped bool) string {
	switch {
	case st.action == "skip" || st.action == "":
		return NotRun
	case skipped && st.action == "pass":
		return Skipped
	case st.action == "pass":
		return Passed
	case len(st.verdict.Failures) == 0 && st.verdict.SCTPFailures > 0:
		return SCTPNotJudged
	default:
		if len(st.verdict.Failures) == 0 {
			st.verdict.Failures = []string{"failed without an assertion message (see the go test log)"}
		}
		return Failed
	}
}
