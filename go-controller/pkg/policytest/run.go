package policytest

import (
	"errors"
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

// ErrNotJudged marks a probe a backend could not judge at all on this machine (SCTP on a kernel without
// SCTP): never a pass, never a policy failure, and always reported by name.
var ErrNotJudged = errors.New("not judged")

// NotJudged reports whether the backend could not judge the probe (see ErrNotJudged).
func (r Result) NotJudged() bool { return errors.Is(r.Err, ErrNotJudged) }

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

// Run evaluates every probe of the suite, all at once when the evaluator is a BatchEvaluator. It does not
// close the evaluator (see Close).
func Run(ev eval.Evaluator, s *Suite) []Result {
	results := make([]Result, len(s.Flows))
	batch, isBatch := ev.(BatchEvaluator)
	var verdicts []eval.Verdict
	var errs []error
	if isBatch {
		flows := make([]ExpectedFlow, len(s.Flows))
		for i, flow := range s.Flows {
			flows[i] = ExpectedFlow{Flow: flow, ExpectAllow: s.Probes[i].Expect == ExpectAllow}
		}
		verdicts, errs = batch.EvaluateBatch(flows)
		if len(verdicts) != len(flows) || len(errs) != len(flows) {
			err := fmt.Errorf("batch evaluator returned %d verdicts and %d errors for %d flows", len(verdicts), len(errs),
				len(flows))
			verdicts, errs = make([]eval.Verdict, len(flows)), make([]error, len(flows))
			for i := range errs {
				errs[i] = err
			}
		}
	}
	for i, flow := range s.Flows {
		r := Result{Index: i, Probe: s.Probes[i], Flow: flow}
		if isBatch {
			r.Verdict, r.Err = verdicts[i], errs[i]
		} else {
			r.Verdict, r.Err = ev.Evaluate(flow)
		}
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
