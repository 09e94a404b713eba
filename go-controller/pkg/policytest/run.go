package policytest

import (
	"fmt"
	"strings"

	"github.com/tieracl/tieracl/go-controller/pkg/eval"
)

// Result is the outcome of one probe.
type Result struct {
	Index   int // the probe's position in the file
	Probe   Probe
	Flow    eval.Flow
	Verdict eval.Verdict
	// Pass is true when the verdict is the expected one (and the evaluator did not fail).
	Pass bool
	Err  error
}

// Got is the verdict as the file spells it: Allow, Deny, or Error.
func (r Result) Got() string {
	switch {
	case r.Err != nil:
		return "Error"
	case r.Verdict.Allowed:
		return ExpectAllow
	}
	return ExpectDeny
}

// Run evaluates every probe of the suite.
func Run(ev eval.Evaluator, s *Suite) []Result {
	results := make([]Result, len(s.Flows))
	for i, flow := range s.Flows {
		r := Result{Index: i, Probe: s.Probes[i], Flow: flow}
		r.Verdict, r.Err = ev.Evaluate(flow)
		r.Pass = r.Err == nil && r.Got() == r.Probe.Expect
		results[i] = r
	}
	return results
}

// Deciding describes the steps that decided the verdict: the denying side's last step when the flow
// is denied, else the last step of every judged side.
func Deciding(v eval.Verdict) string {
	sides := []struct {
		name string
		d    *eval.Decision
	}{{"egress", v.Egress}, {"ingress", v.Ingress}}
	var parts []string
	for _, side := range sides {
		if side.d == nil || len(side.d.Steps) == 0 {
			continue
		}
		if !v.Allowed && side.d.Allowed {
			continue
		}
		parts = append(parts, side.name+": "+DescribeStep(side.d.Steps[len(side.d.Steps)-1]))
		if !v.Allowed {
			break
		}
	}
	if len(parts) == 0 {
		return "no side judged the flow (neither end has a logical port)"
	}
	return strings.Join(parts, "; ")
}

// DescribeStep is a one-line description of a step, from either evaluator.
func DescribeStep(s eval.Step) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s in tier %d", s.Action, s.Tier)
	if s.Policy != "" {
		fmt.Fprintf(&b, " by %s", s.Policy)
	}
	if s.RuleIndex >= 0 && (s.Rule != "" || s.Policy != "") {
		if s.Rule != "" {
			fmt.Fprintf(&b, " rule %q (#%d)", s.Rule, s.RuleIndex)
		} else {
			fmt.Fprintf(&b, " rule #%d", s.RuleIndex)
		}
	}
	if s.ACL != "" {
		fmt.Fprintf(&b, " ACL %s (%s, priority %d)", s.ACL, s.Stage, s.ACLPriority)
	}
	if s.Detail != "" {
		fmt.Fprintf(&b, ": %s", s.Detail)
	}
	return b.String()
}
