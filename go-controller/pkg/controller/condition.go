package controller

import (
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/policy"
)

// ConditionProgrammed is the status condition tieracl sets on every ClusterNetworkPolicy,
// AdminNetworkPolicy and the BaselineAdminNetworkPolicy. True: NB enforces the policy as written (Reason
// Programmed), or with something the user should know (a Warning reason such as PriorityConflict). False:
// part of it is not programmed as written (it failed closed), none of it is (rejected, TierFull), or it
// does not apply to some pods it selects (PortsMissing: their logical switch ports are not in NB); Reason
// says which.
const (
	ConditionProgrammed = "Programmed"
	ReasonProgrammed    = "Programmed"
)

// programmedCondition sums up a compiled policy's problems. Errors outrank warnings; the first of the
// highest severity gives the reason and every problem is in the message.
func programmedCondition(p *policy.Policy, generation int64) metav1.Condition {
	cond := metav1.Condition{Type: ConditionProgrammed, Status: metav1.ConditionTrue, Reason: ReasonProgrammed,
		Message: "programmed in OVN", ObservedGeneration: generation}
	var msgs []string
	for _, pr := range p.Problems {
		msgs = append(msgs, pr.Message)
	}
	for _, sev := range []policy.Severity{policy.SeverityError, policy.SeverityWarning} {
		if pr, ok := firstOf(p.Problems, sev); ok {
			cond.Reason = pr.Reason
			if sev == policy.SeverityError {
				cond.Status = metav1.ConditionFalse
			}
			cond.Message = strings.Join(msgs, "; ")
			break
		}
	}
	const maxMessage = 32768 // the API's limit on a condition message
	if len(cond.Message) > maxMessage {
		cond.Message = cond.Message[:maxMessage-3] + "..."
	}
	return cond
}

func firstOf(problems []policy.Problem, sev policy.Severity) (policy.Problem, bool) {
	for _, p := range problems {
		if p.Severity == sev {
			return p, true
		}
	}
	return policy.Problem{}, false
}

// sameCondition reports whether writing want over the conditions would change anything but times.
func sameCondition(have []metav1.Condition, want metav1.Condition) bool {
	for _, c := range have {
		if c.Type == want.Type {
			return c.Status == want.Status && c.Reason == want.Reason && c.Message == want.Message &&
				c.ObservedGeneration == want.ObservedGeneration
		}
	}
	return false
}

// ProgrammedCondition is the Programmed condition the controller writes for a compiled policy of the
// given generation, for checks from outside (the end-to-end tests) that the status it wrote is right.
func ProgrammedCondition(p *policy.Policy, generation int64) metav1.Condition {
	return programmedCondition(p, generation)
}
