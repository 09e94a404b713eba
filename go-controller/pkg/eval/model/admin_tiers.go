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

var (
	anpActions  = []string{string(anpv1alpha1.AdminNetworkPolicyRuleActionAllow), string(anpv1alpha1.AdminNetworkPolicyRuleActionDeny), string(anpv1alpha1.AdminNetworkPolicyRuleActionPass)}
	banpActions = []string{string(anpv1alpha1.BaselineAdminNetworkPolicyRuleActionAllow), string(anpv1alpha1.BaselineAdminNetworkPolicyRuleActionDeny)}
)

// adminTier walks the ANPs selecting the subject in precedence order; the first matching rule decides,
// except Pass, which leaves the tier undecided.
func (e *Evaluator) adminTier(s side) (decided, allowed bool, steps []eval.Step) {
	candidates := 0
	for _, anp := range e.anps {
		rules := anpRules(anp, s.dir)
		if len(rules) == 0 || !e.subjectSelects(anp.Spec.Subject, s) {
			continue // ANPs without rules in this direction do not affect it
		}
		candidates++
		for i, r := range rules {
			res := e.matchAdminRule(s, r, anpActions)
			if !res.matched {
				continue
			}
			step := eval.Step{Tier: tierAdmin, Action: res.action, Policy: "AdminNetworkPolicy/" + anp.Name,
				Priority: anp.Spec.Priority, Rule: r.name, RuleIndex: i, Detail: res.detail}
			// The API's action names are the step actions, so the rule's action labels its step.
			switch res.action {
			case eval.StepAllow:
				return true, true, []eval.Step{step}
			case eval.StepDeny:
				return true, false, []eval.Step{step}
			default: // Pass: skip the remaining ANPs
				return false, false, []eval.Step{step}
			}
		}
	}
	if candidates > 0 {
		steps = append(steps, eval.Step{Tier: tierAdmin, Action: eval.StepNoMatch, RuleIndex: -1})
	}
	return false, false, steps
}

// baselineTier applies the BANP named "default", if it selects the subject; its first matching rule
// decides.
func (e *Evaluator) baselineTier(s side) (decided, allowed bool, steps []eval.Step) {
	if e.banp == nil {
		return false, false, nil
	}
	rules := banpRules(e.banp, s.dir)
	if len(rules) == 0 || !e.subjectSelects(e.banp.Spec.Subject, s) {
		return false, false, nil
	}
	for i, r := range rules {
		res := e.matchAdminRule(s, r, banpActions)
		if !res.matched {
			continue
		}
		step := eval.Step{Tier: tierBaseline, Action: res.action, Policy: "BaselineAdminNetworkPolicy/" + e.banp.Name,
			Rule: r.name, RuleIndex: i, Detail: res.detail}
		return true, res.action == eval.StepAllow, []eval.Step{step}
	}
	return false, false, []eval.Step{{Tier: tierBaseline, Action: eval.StepNoMatch, RuleIndex: -1}}
}

// subjectSelects reports whether an ANP/BANP subject selects the side's pod. A subject that sets no
// field, both fields, or an invalid selector is a policy the API server would reject: it selects nothing.
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
