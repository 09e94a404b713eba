package ovnbackend

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/tieracl/tieracl/go-controller/pkg/eval"
)

// pipelineTrace is what one logical pipeline of a detailed ovn-trace did in its ACL stages.
type pipelineTrace struct {
	reached bool
	denied  bool        // an ACL set the drop or reject bit
	steps   []eval.Step // matched ACLs, in order
	lines   []string    // the ACL stages' flows and actions, as printed
}

// traceFlowRE matches a table line of ovn-trace --detailed:
// " 6. ls_out_acl_eval (northd.c:7449): <match>, priority 2000, uuid 8bb781b7".
var (
	traceFlowRE = regexp.MustCompile(`^\s*\d+\. (\S+) \([^)]*\): (.*), priority (\d+), uuid \w+$`)
	aclStageRE  = regexp.MustCompile(`^ls_(in|out)_acl(_after_lb)?_(eval|action)$`)
	tierRE      = regexp.MustCompile(`reg8\[30\.\.31\] == (\d)`)
)

// aclPriorityOffset is what northd adds to an ACL's priority for its logical flow.
const aclPriorityOffset = 1000

// parseTrace splits a detailed trace into the ingress pipeline (the source's from-lport ACLs) and
// the egress pipeline (the destination's to-lport ACLs).
func parseTrace(text string) (ingress, egress pipelineTrace) {
	var cur *pipelineTrace
	var inACL bool
	var last *eval.Step
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.HasPrefix(line, "ingress("):
			cur, inACL, last = &ingress, false, nil
			cur.reached = true
			continue
		case strings.HasPrefix(line, "egress("):
			cur, inACL, last = &egress, false, nil
			cur.reached = true
			continue
		case cur == nil:
			continue
		}
		if m := traceFlowRE.FindStringSubmatch(line); m != nil {
			inACL, last = aclStageRE.MatchString(m[1]), nil
			if inACL {
				cur.lines = append(cur.lines, strings.TrimSpace(line))
				if strings.HasSuffix(m[1], "_eval") {
					if step, ok := aclStep(m[1], m[2], m[3]); ok {
						cur.steps = append(cur.steps, step)
						last = &cur.steps[len(cur.steps)-1]
					}
				}
			}
			continue
		}
		if !inACL {
			continue
		}
		if !strings.HasPrefix(line, "    ") { // a blank line or a ct_next header ends the flow's actions
			inACL = false
			continue
		}
		action := strings.TrimSpace(line)
		cur.lines = append(cur.lines, "    "+action)
		if last == nil {
			continue
		}
		switch action {
		case "reg8[16] = 1;":
			last.Action = eval.StepAllow
		case "reg8[17] = 1;", "reg8[18] = 1;":
			last.Action = eval.StepDeny
			cur.denied = true
		}
	}
	return ingress, egress
}

// aclStep makes a step of an ACL eval flow of a tier; flows outside the tiers (northd's own, such as
// the priority-1 flow of stateful switches) are no ACL's. An eval flow that sets no verdict bit is a
// pass: the action stage moves on to the next tier.
func aclStep(table, match, priority string) (eval.Step, bool) {
	tm := tierRE.FindStringSubmatch(match)
	prio, err := strconv.Atoi(priority)
	if tm == nil || err != nil || prio < aclPriorityOffset {
		return eval.Step{}, false
	}
	tier, _ := strconv.Atoi(tm[1])
	stage := "to-lport"
	switch {
	case strings.HasPrefix(table, "ls_in_acl_after_lb"):
		stage = "from-lport/after-lb"
	case strings.HasPrefix(table, "ls_in_"):
		stage = "from-lport"
	}
	return eval.Step{Tier: tier, Action: eval.StepPass, RuleIndex: -1, Stage: stage,
		ACLPriority: prio - aclPriorityOffset, Match: match}, true
}

// decision is a pipeline's outcome with the trace's ACL lines on its last step.
func (p pipelineTrace) decision() *eval.Decision {
	d := &eval.Decision{Allowed: !p.denied, Steps: append([]eval.Step(nil), p.steps...)}
	if len(d.Steps) == 0 {
		d.Steps = []eval.Step{{Action: eval.StepDefault, RuleIndex: -1, Detail: "no tier ACL matched"}}
	}
	last := &d.Steps[len(d.Steps)-1]
	last.Detail = strings.TrimSpace(last.Detail + "\novn-trace ACL stages:\n" + strings.Join(p.lines, "\n"))
	return d
}

// verdictOfTrace is the verdict of a traced flow: allowed exactly when delivered. Sides are judged
// for pods (the ports policies select); the destination's only when the packet reached its pipeline.
// A packet that was not delivered although no ACL dropped it is an error: something else (a missing
// port, port security) decided, which says nothing about the policies.
func verdictOfTrace(delivered bool, detailed string, srcJudged, dstJudged bool) (eval.Verdict, error) {
	in, out := parseTrace(detailed)
	v := eval.Verdict{Allowed: delivered}
	if srcJudged && in.reached {
		v.Egress = in.decision()
	}
	if dstJudged && out.reached {
		v.Ingress = out.decision()
	}
	deniedByACL := in.denied || out.denied
	switch {
	case !delivered && !deniedByACL:
		return v, fmt.Errorf("ovn-trace did not deliver the packet, but no ACL dropped it:\n%s", detailed)
	case delivered && deniedByACL:
		return v, fmt.Errorf("ovn-trace delivered the packet although an ACL dropped it:\n%s", detailed)
	}
	return v, nil
}
