package model

import (
	"net/netip"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/tieracl/tieracl/go-controller/pkg/eval"
)

// networkPolicyTier decides when a NetworkPolicy isolates the subject in the side's direction: allowed
// if any rule of any isolating policy matches, denied otherwise. Not isolated: undecided.
func (e *Evaluator) networkPolicyTier(s side) (decided, allowed bool, steps []eval.Step) {
	var isolating []string
	for _, np := range e.netpols {
		if !e.netpolIsolates(np, s) {
			continue
		}
		isolating = append(isolating, netpolName(np))
		for i, ok := range e.netpolRuleMatches(np, s) {
			if ok {
				return true, true, []eval.Step{{Tier: tierNetworkPolicy, Action: eval.StepAllow,
					Policy: netpolName(np), RuleIndex: i}}
			}
		}
	}
	if len(isolating) == 0 {
		return false, false, nil
	}
	return true, false, []eval.Step{{Tier: tierNetworkPolicy, Action: eval.StepIsolated, RuleIndex: -1,
		Detail: "isolated by " + strings.Join(isolating, ", ")}}
}

func netpolName(np *networkingv1.NetworkPolicy) string {
	return "NetworkPolicy/" + np.Namespace + "/" + np.Name
}

// netpolIsolates reports whether the policy selects the subject and has the side's direction among its
// effective policyTypes.
func (e *Evaluator) netpolIsolates(np *networkingv1.NetworkPolicy, s side) bool {
	pod := s.subject
	if np.Namespace != pod.Namespace || !pod.Selectable() {
		return false
	}
	sel, err := selectorOf(&np.Spec.PodSelector)
	if err != nil || !sel.Matches(labels.Set(pod.Labels)) {
		return false
	}
	want := networkingv1.PolicyTypeEgress
	if s.dir == ingress {
		want = networkingv1.PolicyTypeIngress
	}
	for _, t := range effectivePolicyTypes(np) {
		if t == want {
			return true
		}
	}
	return false
}

// effectivePolicyTypes applies the API default: without policyTypes a policy isolates ingress, and
// egress too when it has egress rules.
func effectivePolicyTypes(np *networkingv1.NetworkPolicy) []networkingv1.PolicyType {
	if len(np.Spec.PolicyTypes) > 0 {
		return np.Spec.PolicyTypes
	}
	types := []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
	if len(np.Spec.Egress) > 0 {
		types = append(types, networkingv1.PolicyTypeEgress)
	}
	return types
}

// netpolRuleMatches returns, per rule of the side's direction, whether it matches the flow.
func (e *Evaluator) netpolRuleMatches(np *networkingv1.NetworkPolicy, s side) []bool {
	var out []bool
	if s.dir == ingress {
		for _, r := range np.Spec.Ingress {
			out = append(out, e.netpolPeersMatch(np, r.From, s) && netpolPortsMatch(r.Ports, s))
		}
		return out
	}
	for _, r := range np.Spec.Egress {
		out = append(out, e.netpolPeersMatch(np, r.To, s) && netpolPortsMatch(r.Ports, s))
	}
	return out
}

// netpolPeersMatch: an empty peer list matches every peer, otherwise any peer may match.
func (e *Evaluator) netpolPeersMatch(np *networkingv1.NetworkPolicy, peers []networkingv1.NetworkPolicyPeer,
	s side) bool {
	if len(peers) == 0 {
		return true
	}
	for _, p := range peers {
		if e.netpolPeerMatches(np, p, s) {
			return true
		}
	}
	return false
}

func netpolPortsMatch(ports []networkingv1.NetworkPolicyPort, s side) bool {
	if len(ports) == 0 {
		return true
	}
	for _, p := range ports {
		if matchNetpolPort(s, p) {
			return true
		}
	}
	return false
}

// netpolPeerMatches applies one NetworkPolicy peer; a peer the API would reject matches nothing.
func (e *Evaluator) netpolPeerMatches(np *networkingv1.NetworkPolicy, p networkingv1.NetworkPolicyPeer, s side) bool {
	if p.IPBlock != nil {
		if p.PodSelector != nil || p.NamespaceSelector != nil {
			return false
		}
		return ipBlockContains(p.IPBlock, s.peer.IP.Unmap())
	}
	if p.PodSelector == nil && p.NamespaceSelector == nil {
		return false
	}
	pod := s.selectablePeer()
	if pod == nil {
		return false
	}
	podSel := labels.Everything()
	if p.PodSelector != nil {
		var err error
		if podSel, err = selectorOf(p.PodSelector); err != nil {
			return false
		}
	}
	if !podSel.Matches(labels.Set(pod.Labels)) {
		return false
	}
	if p.NamespaceSelector == nil {
		return pod.Namespace == np.Namespace
	}
	nsSel, err := selectorOf(p.NamespaceSelector)
	return err == nil && nsSel.Matches(e.ix.NamespaceLabels(pod.Namespace))
}

// ipBlockContains: inside cidr and outside every except. A block the API server rejects matches nothing:
// an unparsable cidr or except, or an except that is not a strict subset of the cidr ("Except values will
// be rejected if they are outside the cidr range"), which an except of the other IP family never is.
func ipBlockContains(b *networkingv1.IPBlock, ip netip.Addr) bool {
	cidr, err := netip.ParsePrefix(b.CIDR)
	if err != nil {
		return false
	}
	cidr = cidr.Masked()
	hit := cidr.Contains(ip)
	for _, ex := range b.Except {
		pfx, err := netip.ParsePrefix(ex)
		if err != nil {
			return false
		}
		pfx = pfx.Masked()
		if pfx.Addr().Is4() != cidr.Addr().Is4() || pfx.Bits() <= cidr.Bits() || !cidr.Contains(pfx.Addr()) {
			return false
		}
		if pfx.Contains(ip) {
			hit = false
		}
	}
	return hit
}
