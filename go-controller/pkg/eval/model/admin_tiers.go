package model

import (
	"k8s.io/apimachinery/pkg/labels"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"

	"github.com/tieracl/tieracl/go-controller/pkg/eval"
)

const (
	tierAdmin         = 1
	tierNetworkPolicy = 2
	tierBaseline      = 3
)

// The API action names each kind accepts, as the step actions they lead to.
var (
	anpActions  = map[string]string{"Allow": eval.StepAllow, "Deny": eval.StepDeny, "Pass": eval.StepPass}
	banpActions = map[string]string{"Allow": eval.StepAllow, "Deny": eval.StepDeny}
	cnpActions  = map[string]string{"Accept": eval.StepAllow, "Deny": eval.StepDeny, "Pass": eval.StepPass}
)

// tierPolicy is one policy of the Admin or Baseline tier, whichever API it came from: an ANP or an
// Admin ClusterNetworkPolicy, the BANP or a Baseline ClusterNetworkPolicy.
type tierPolicy struct {
	kind     string // API kind, as steps name it
	name     string
	priority int32 // the BANP, which has none, counts as 0
	subject  anpv1alpha1.AdminNetworkPolicySubject
	ingress  []adminRule
	egress   []adminRule
	actions  map[string]string
}

func (p *tierPolicy) rules(d direction) []adminRule {
	if d == ingress {
		return p.ingress
	}
	return p.egress
}

// kindRank orders kinds at equal priority, as docs/priorities.md says: the older API first.
var kindRank = map[string]int{kindANP: 0, kindBANP: 1, kindCNP: 2}

// precedes is the evaluation order inside a tier: priority, then kind, then name.
func precedes(a, b *tierPolicy) bool {
	if a.priority != b.priority {
		return a.priority < b.priority
	}
	if a.kind != b.kind {
		return kindRank[a.kind] < kindRank[b.kind]
	}
	return a.name < b.name
}

// adminTier walks the tier-1 policies selecting the subject in precedence order.
func (e *Evaluator) adminTier(s side) (decided, allowed bool, steps []eval.Step) {
	return e.clusterTier(tierAdmin, e.admin, s)
}

// baselineTier walks the tier-3 policies the same way.
func (e *Evaluator) baselineTier(s side) (decided, allowed bool, steps []eval.Step) {
	return e.clusterTier(tierBaseline, e.baseline, s)
}

// clusterTier applies one tier: the first matching rule of the policies selecting the subject, in
// precedence order, decides, except Pass, which leaves the tier undecided (the next tier, or after the
// Baseline tier the default, decides).
func (e *Evaluator) clusterTier(tier int, policies []*tierPolicy, s side) (decided, allowed bool, steps []eval.Step) {
	candidates := 0
	for _, p := range policies {
		rules := p.rules(s.dir)
		if len(rules) == 0 || !e.subjectSelects(p.subject, s) {
			continue // policies without rules in this direction do not affect it
		}
		candidates++
		for i, r := range rules {
			res := e.matchAdminRule(s, r, p.actions)
			if !res.matched {
				continue
			}
			step := eval.Step{Tier: tier, Action: res.action, Policy: p.kind + "/" + p.name,
				Priority: p.priority, Rule: r.name, RuleIndex: i, Detail: res.detail}
			switch res.action {
			case eval.StepAllow:
				return true, true, []eval.Step{step}
			case eval.StepDeny:
				return true, false, []eval.Step{step}
			default: // Pass: skip the rest of the tier
				return false, false, []eval.Step{step}
			}
		}
	}
	if candidates > 0 {
		steps = append(steps, eval.Step{Tier: tier, Action: eval.StepNoMatch, RuleIndex: -1})
	}
	return false, false, steps
}

// subjectSelects reports whether a subject selects the side's pod. A subject that sets no field, both
// fields, or an invalid selector is a policy the API server would reject: it selects nothing.
func (e *Evaluator) subjectSelects(sub anpv1alpha1.AdminNetworkPolicySubject, s side) bool {
	pod := s.subject
	if !pod.Selectable() {
		return false
	}
	switch {
	case sub.Namespaces != nil && sub.Pods == nil:
		nsSel, err := selectorOf(sub.Namespaces)
		return err == nil && nsSel.Matches(e.ix.NamespaceLabels(pod.Namespace))
	case sub.Pods != nil && sub.Namespaces == nil:
		nsSel, podSel, err := namespacedPodSelectors(sub.Pods)
		return err == nil && nsSel.Matches(e.ix.NamespaceLabels(pod.Namespace)) && podSel.Matches(labels.Set(pod.Labels))
	}
	return false
}
